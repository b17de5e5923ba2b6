# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::api' do
  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      it_behaves_like 'a jtrove service', 'api'

      context 'with defaults' do
        it { is_expected.to contain_class('jtrove::db') }
        it { is_expected.to contain_class('jtrove::db::sync') }
        it { is_expected.not_to contain_class('jtrove::keystone::authtoken') }
        it { is_expected.to contain_resources('jtrove_config').with_purge(false) }
        it { is_expected.to contain_jtrove_config('DEFAULT/auth_strategy').with_value('builtin') }
        it { is_expected.to contain_jtrove_config('DEFAULT/bind_port').with_value('<SERVICE DEFAULT>') }
        it { is_expected.to contain_jtrove_config('DEFAULT/bind_host').with_value('<SERVICE DEFAULT>') }
        it { is_expected.to contain_jtrove_config('identity/admin_password').with(value: '<SERVICE DEFAULT>', secret: true) }
        it { is_expected.to contain_jtrove_config('oslo_middleware/max_request_body_size').with_value('<SERVICE DEFAULT>') }
      end

      context 'with overrides' do
        let(:params) do
          { bind_host: '127.0.0.1', bind_port: 8790, public_endpoint: 'https://db.example.org:8779',
            cert_file: '/etc/ssl/jtrove.pem', key_file: '/etc/ssl/jtrove.key', admin_password: 'pw',
            token_expiration: 600, rate_limit_per_minute: 0, page_size: 50, max_accepted_volume_size: 20,
            max_request_body_size: 2_097_152, agent_heartbeat_expiry: 60, sync_db: false, purge_config: true }
        end

        it { is_expected.to contain_jtrove_config('DEFAULT/bind_host').with_value('127.0.0.1') }
        it { is_expected.to contain_jtrove_config('DEFAULT/bind_port').with_value(8790) }
        it { is_expected.to contain_jtrove_config('DEFAULT/public_endpoint').with_value('https://db.example.org:8779') }
        it { is_expected.to contain_jtrove_config('ssl/cert_file').with_value('/etc/ssl/jtrove.pem') }
        it { is_expected.to contain_jtrove_config('ssl/key_file').with_value('/etc/ssl/jtrove.key') }
        it { is_expected.to contain_jtrove_config('identity/admin_password').with(value: 'pw', secret: true) }
        it { is_expected.to contain_jtrove_config('token/expiration').with_value(600) }
        it { is_expected.to contain_jtrove_config('DEFAULT/rate_limit_per_minute').with_value(0) }
        it { is_expected.to contain_jtrove_config('DEFAULT/page_size').with_value(50) }
        it { is_expected.to contain_jtrove_config('DEFAULT/max_accepted_volume_size').with_value(20) }
        it { is_expected.to contain_jtrove_config('oslo_middleware/max_request_body_size').with_value(2_097_152) }
        it { is_expected.to contain_jtrove_config('DEFAULT/agent_heartbeat_expiry').with_value(60) }
        it { is_expected.not_to contain_class('jtrove::db::sync') }
        it { is_expected.to contain_resources('jtrove_config').with_purge(true) }
      end

      context 'with auth_strategy keystone' do
        let(:pre_condition) { "class { 'jtrove::keystone::authtoken': password => 'secret' }" }
        let(:params) { { auth_strategy: 'keystone' } }

        it { is_expected.to contain_jtrove_config('DEFAULT/auth_strategy').with_value('keystone') }
        it { is_expected.to contain_class('jtrove::keystone::authtoken') }
        it { is_expected.to contain_jtrove_config('keystone_authtoken/password').with(value: 'secret', secret: true) }
      end

      context 'with an unknown auth_strategy' do
        let(:params) { { auth_strategy: 'ldap' } }

        it { is_expected.to compile.and_raise_error(%r{auth_strategy}) }
      end
    end
  end
end
