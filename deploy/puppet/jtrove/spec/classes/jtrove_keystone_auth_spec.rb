# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::keystone::auth' do
  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      context 'with defaults' do
        let(:params) { { password: 'jtrove_password' } }

        it {
          is_expected.to contain_keystone__resource__service_identity('jtrove').with(
            configure_user: true, configure_user_role: true, configure_endpoint: true, configure_service: true,
            service_name: 'jtrove', service_type: 'database', region: 'RegionOne', auth_name: 'jtrove',
            password: 'jtrove_password', email: 'jtrove@localhost', tenant: 'services', roles: ['admin', 'service'],
            system_scope: 'all', system_roles: [],
            public_url: 'http://127.0.0.1:8779/v1.0/%(tenant_id)s',
            internal_url: 'http://127.0.0.1:8779/v1.0/%(tenant_id)s',
            admin_url: 'http://127.0.0.1:8779/v1.0/%(tenant_id)s',
          )
        }
        it { is_expected.to contain_keystone_service('jtrove::database').with_ensure('present') }
        it { is_expected.to contain_keystone_endpoint('RegionOne/jtrove::database').with_public_url('http://127.0.0.1:8779/v1.0/%(tenant_id)s') }
        it { is_expected.to contain_keystone_user('jtrove').with_password('jtrove_password') }
        it { is_expected.to contain_keystone_user_role('jtrove@services').with_roles(['admin', 'service']) }
        it { is_expected.to contain_keystone_role('service').with_ensure('present') }
        it { is_expected.to contain_keystone__resource__service_identity('jtrove').that_comes_before('Anchor[jtrove::service::end]') }
      end

      context 'with overrides' do
        let(:params) do
          { password: 'pw', auth_name: 'dbaas', email: 'dbaas@example.org', tenant: 'svc', roles: ['admin'],
            service_name: 'dbaas', region: 'RegionTwo', public_url: 'https://db.example.org:8779/v1.0/%(tenant_id)s',
            internal_url: 'http://10.0.0.5:8779/v1.0/%(tenant_id)s', admin_url: 'http://10.0.0.5:8779/v1.0/%(tenant_id)s' }
        end

        it { is_expected.to contain_keystone_user('dbaas').with_email('dbaas@example.org') }
        it { is_expected.to contain_keystone_user_role('dbaas@svc').with_roles(['admin']) }
        it { is_expected.not_to contain_keystone_role('service') }
        it { is_expected.to contain_keystone_service('dbaas::database') }
        it {
          is_expected.to contain_keystone_endpoint('RegionTwo/dbaas::database').with(
            public_url: 'https://db.example.org:8779/v1.0/%(tenant_id)s', internal_url: 'http://10.0.0.5:8779/v1.0/%(tenant_id)s',
          )
        }
      end

      context 'with every part switched off' do
        let(:params) do
          { password: 'pw', configure_user: false, configure_user_role: false, configure_endpoint: false, configure_service: false }
        end

        it { is_expected.not_to contain_keystone_user('jtrove') }
        it { is_expected.not_to contain_keystone_user_role('jtrove@services') }
        it { is_expected.not_to contain_keystone_service('jtrove::database') }
        it { is_expected.not_to contain_keystone_endpoint('RegionOne/jtrove::database') }
      end
    end
  end
end
