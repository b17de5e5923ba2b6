# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::taskmanager' do
  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      it_behaves_like 'a jtrove service', 'taskmanager'

      context 'with defaults' do
        ['usage_timeout', 'backup_timeout', 'task_lease'].each do |key|
          it { is_expected.to contain_jtrove_config("DEFAULT/#{key}").with_value('<SERVICE DEFAULT>') }
        end
      end

      context 'with overrides' do
        let(:params) { { usage_timeout: 600, backup_timeout: 7200, task_lease: 30 } }

        it { is_expected.to contain_jtrove_config('DEFAULT/usage_timeout').with_value(600) }
        it { is_expected.to contain_jtrove_config('DEFAULT/backup_timeout').with_value(7200) }
        it { is_expected.to contain_jtrove_config('DEFAULT/task_lease').with_value(30) }
      end
    end
  end
end
