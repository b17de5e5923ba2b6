# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::db::mysql' do
  let(:pre_condition) { 'include mysql::server' }

  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      context 'with defaults' do
        let(:params) { { password: 'pw' } }

        it {
          is_expected.to contain_openstacklib__db__mysql('jtrove').with(
            user: 'jtrove', password: 'pw', dbname: 'jtrove', host: '127.0.0.1', charset: 'utf8mb4',
            collate: 'utf8mb4_nopad_bin',
          )
        }
        it { is_expected.to contain_mysql_database('jtrove').with(charset: 'utf8mb4', collate: 'utf8mb4_nopad_bin') }
        it { is_expected.to contain_anchor('jtrove::db::begin').that_notifies('Class[jtrove::db::mysql]') }
        it { is_expected.to contain_anchor('jtrove::db::end').that_subscribes_to('Class[jtrove::db::mysql]') }
      end

      context 'with overrides' do
        let(:params) { { password: 'pw', dbname: 'meta', user: 'svc', host: '10.0.0.5', allowed_hosts: ['%'] } }

        it { is_expected.to contain_openstacklib__db__mysql('jtrove').with(dbname: 'meta', user: 'svc', host: '10.0.0.5', allowed_hosts: ['%']) }
      end

      context 'without a password' do
        it { is_expected.to compile.and_raise_error(%r{password}) }
      end
    end
  end
end
