# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove' do
  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      context 'with defaults' do
        it { is_expected.to compile.with_all_deps }
        it { is_expected.to contain_class('jtrove::deps') }
        it { is_expected.to contain_class('jtrove::params') }
        it {
          is_expected.to contain_package('jtrove-common').with(
            ensure: 'present', name: 'jtrove-common', tag: ['openstack', 'jtrove-package'],
          )
        }
        it {
          is_expected.to contain_oslo__messaging__default('jtrove_config').with(
            transport_url: '<SERVICE DEFAULT>', control_exchange: '<SERVICE DEFAULT>',
          )
        }
        it { is_expected.to contain_oslo__messaging__rabbit('jtrove_config').with_rabbit_use_ssl('<SERVICE DEFAULT>') }
        it { is_expected.to contain_jtrove_config('DEFAULT/transport_url').with(value: '<SERVICE DEFAULT>', secret: true) }
        it { is_expected.to contain_jtrove_config('DEFAULT/backup_key_file').with_value('<SERVICE DEFAULT>') }
        it { is_expected.to contain_jtrove_config('DEFAULT/state_path').with_value('<SERVICE DEFAULT>') }
        it { is_expected.to contain_jtrove_config('oslo_messaging_rabbit/management_url').with(value: '<SERVICE DEFAULT>', secret: true) }
        it { is_expected.not_to contain_file('/etc/jtrove/backup.key') }
      end

      context 'with overrides' do
        let(:params) do
          { package_ensure: 'latest', default_transport_url: 'rabbit://jtrove:pw@127.0.0.1:5672/',
            control_exchange: 'jtrove2', rabbit_use_ssl: true, kombu_ssl_ca_certs: '/etc/ssl/ca.pem',
            heartbeat_timeout_threshold: 30, rabbit_quorum_queue: true,
            rabbit_management_url: 'http://jtrove:pw@127.0.0.1:15672', state_path: '/srv/jtrove',
            os_region_name: 'RegionTwo', default_datastore: 'mysql', public_address: '192.0.2.10',
            public_ports: '17000-17099', backup_storage: 's3', backup_s3_endpoint: 'http://127.0.0.1:9000',
            backup_s3_bucket: 'b', backup_s3_secret_key: 's3cret', backup_key: sensitive('a2V5' * 11) }
        end

        it { is_expected.to contain_package('jtrove-common').with_ensure('latest') }
        it { is_expected.to contain_jtrove_config('DEFAULT/transport_url').with(value: 'rabbit://jtrove:pw@127.0.0.1:5672/', secret: true) }
        it { is_expected.to contain_jtrove_config('DEFAULT/control_exchange').with_value('jtrove2') }
        it { is_expected.to contain_jtrove_config('oslo_messaging_rabbit/ssl').with_value(true) }
        it { is_expected.to contain_jtrove_config('oslo_messaging_rabbit/ssl_ca_file').with_value('/etc/ssl/ca.pem') }
        it { is_expected.to contain_jtrove_config('oslo_messaging_rabbit/heartbeat_timeout_threshold').with_value(30) }
        it { is_expected.to contain_jtrove_config('oslo_messaging_rabbit/rabbit_quorum_queue').with_value(true) }
        it { is_expected.to contain_jtrove_config('oslo_messaging_rabbit/management_url').with(value: 'http://jtrove:pw@127.0.0.1:15672', secret: true) }
        it { is_expected.to contain_jtrove_config('DEFAULT/state_path').with_value('/srv/jtrove') }
        it { is_expected.to contain_jtrove_config('DEFAULT/os_region_name').with_value('RegionTwo') }
        it { is_expected.to contain_jtrove_config('DEFAULT/default_datastore').with_value('mysql') }
        it { is_expected.to contain_jtrove_config('DEFAULT/public_address').with_value('192.0.2.10') }
        it { is_expected.to contain_jtrove_config('DEFAULT/public_ports').with_value('17000-17099') }
        it { is_expected.to contain_jtrove_config('DEFAULT/backup_storage').with_value('s3') }
        it { is_expected.to contain_jtrove_config('DEFAULT/backup_s3_secret_key').with(value: 's3cret', secret: true) }
        it { is_expected.to contain_jtrove_config('DEFAULT/backup_key_file').with_value('/etc/jtrove/backup.key') }
        it {
          is_expected.to contain_file('/etc/jtrove/backup.key').with(
            owner: 'root', group: 'jtrove', mode: '0640', show_diff: false, tag: ['jtrove-config'],
          ).that_notifies('Anchor[jtrove::config::end]')
        }
        it 'writes the given key' do
          content = catalogue.resource('File', '/etc/jtrove/backup.key')[:content]
          content = content.unwrap if content.respond_to?(:unwrap)
          expect(content).to eq("#{'a2V5' * 11}\n")
        end
      end
    end
  end

  context 'on RedHat' do
    let(:facts) { { os: { 'family' => 'RedHat', 'release' => { 'major' => '9' } }, os_service_default: '<SERVICE DEFAULT>' } }

    it { is_expected.to compile.and_raise_error(%r{Unsupported osfamily: RedHat}) }
  end
end
