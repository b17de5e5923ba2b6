# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::keystone::authtoken' do
  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      context 'with defaults' do
        let(:params) { { password: 'jtrove_password' } }

        it { is_expected.to contain_keystone__resource__authtoken('jtrove_config').with(username: 'jtrove', password: 'jtrove_password') }
        it { is_expected.to contain_jtrove_config('keystone_authtoken/auth_url').with_value('http://127.0.0.1:5000') }
        it { is_expected.to contain_jtrove_config('keystone_authtoken/username').with_value('jtrove') }
        it { is_expected.to contain_jtrove_config('keystone_authtoken/password').with(value: 'jtrove_password', secret: true) }
        it { is_expected.to contain_jtrove_config('keystone_authtoken/project_name').with_value('services') }
        it { is_expected.to contain_jtrove_config('keystone_authtoken/token_cache_time').with_value('<SERVICE DEFAULT>') }
      end

      context 'with overrides' do
        let(:params) do
          { password: 'pw', username: 'dbaas', auth_url: 'https://keystone.example.org:5000', project_name: 'svc',
            token_cache_time: 30, region_name: 'RegionTwo', insecure: true }
        end

        it { is_expected.to contain_jtrove_config('keystone_authtoken/auth_url').with_value('https://keystone.example.org:5000') }
        it { is_expected.to contain_jtrove_config('keystone_authtoken/username').with_value('dbaas') }
        it { is_expected.to contain_jtrove_config('keystone_authtoken/project_name').with_value('svc') }
        it { is_expected.to contain_jtrove_config('keystone_authtoken/token_cache_time').with_value(30) }
        it { is_expected.to contain_jtrove_config('keystone_authtoken/region_name').with_value('RegionTwo') }
      end
    end
  end
end
