# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::guestagent' do
  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      it_behaves_like 'a jtrove service', 'guestagent'

      context 'with defaults' do
        ['report_interval', 'address_base', 'database_os_user', 'spare_data_dirs'].each do |key|
          it { is_expected.to contain_jtrove_guestagent_config("DEFAULT/#{key}").with_value('<SERVICE DEFAULT>') }
        end
        it { is_expected.not_to contain_jtrove_config('DEFAULT/address_base') }
      end

      context 'with overrides' do
        let(:params) { { report_interval: 5, address_base: 180, database_os_user: 'jtrove-db2', spare_data_dirs: 0 } }

        it { is_expected.to contain_jtrove_guestagent_config('DEFAULT/report_interval').with_value(5) }
        it { is_expected.to contain_jtrove_guestagent_config('DEFAULT/address_base').with_value(180) }
        it { is_expected.to contain_jtrove_guestagent_config('DEFAULT/database_os_user').with_value('jtrove-db2') }
        it { is_expected.to contain_jtrove_guestagent_config('DEFAULT/spare_data_dirs').with_value(0) }
        it { is_expected.to contain_jtrove_guestagent_config('DEFAULT/address_base').that_notifies('Anchor[jtrove::config::end]') }
      end
    end
  end
end
