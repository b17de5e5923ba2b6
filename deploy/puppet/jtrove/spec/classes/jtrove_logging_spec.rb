# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::logging' do
  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      context 'with defaults' do
        it { is_expected.to contain_file_line('jtrove-log-level').with(ensure: 'absent', path: '/etc/default/jtrove', match_for_absence: true) }
      end

      context 'with debug' do
        let(:params) { { debug: true } }

        it { is_expected.to contain_file_line('jtrove-log-level').with(ensure: 'present', line: 'export JTROVE_LOG_LEVEL=DEBUG', tag: ['jtrove-config']) }
        it { is_expected.to contain_file_line('jtrove-log-level').that_notifies('Anchor[jtrove::config::end]') }
      end

      context 'with debug false' do
        let(:params) { { debug: false } }

        it { is_expected.to contain_file_line('jtrove-log-level').with_line('export JTROVE_LOG_LEVEL=INFO') }
      end

      context 'with a log level' do
        let(:params) { { debug: true, log_level: 'WARN' } }

        it { is_expected.to contain_file_line('jtrove-log-level').with_line('export JTROVE_LOG_LEVEL=WARN') }
      end

      context 'with a bad log level' do
        let(:params) { { log_level: 'LOUD' } }

        it { is_expected.to compile.and_raise_error(%r{log_level must be}) }
      end
    end
  end
end
