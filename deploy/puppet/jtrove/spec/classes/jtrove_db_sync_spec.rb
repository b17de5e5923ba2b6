# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::db::sync' do
  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      context 'with defaults' do
        it {
          is_expected.to contain_exec('jtrove-manage db_sync').with(
            command: 'jtrove manage --config-file /etc/jtrove/jtrove.conf db_sync', user: 'jtrove', cwd: '/',
            refreshonly: true, tries: 10, try_sleep: 5, timeout: 300, logoutput: 'on_failure',
          )
        }
        it { is_expected.to contain_exec('jtrove-manage db_sync').that_subscribes_to('Anchor[jtrove::install::end]') }
        it { is_expected.to contain_exec('jtrove-manage db_sync').that_subscribes_to('Anchor[jtrove::config::end]') }
        it { is_expected.to contain_exec('jtrove-manage db_sync').that_subscribes_to('Anchor[jtrove::dbsync::begin]') }
        it { is_expected.to contain_exec('jtrove-manage db_sync').that_notifies('Anchor[jtrove::dbsync::end]') }
      end

      context 'with overrides' do
        let(:params) { { db_sync_timeout: 750, extra_params: '--config-file /etc/jtrove/other.conf' } }

        it { is_expected.to contain_exec('jtrove-manage db_sync').with(command: 'jtrove manage --config-file /etc/jtrove/other.conf db_sync', timeout: 750) }
      end
    end
  end
end
