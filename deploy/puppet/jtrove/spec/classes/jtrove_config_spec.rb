# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::config' do
  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      context 'with defaults' do
        it { is_expected.to compile.with_all_deps }
        it { is_expected.to have_jtrove_config_resource_count(0) }
      end

      context 'with raw keys' do
        let(:params) do
          { jtrove_config: { 'DEFAULT/page_size' => { 'value' => '50' }, 'identity/admin_password' => { 'value' => 'x', 'secret' => true } },
            jtrove_guestagent_config: { 'DEFAULT/report_interval' => { 'value' => '3' } } }
        end

        it { is_expected.to contain_jtrove_config('DEFAULT/page_size').with_value('50') }
        it { is_expected.to contain_jtrove_config('identity/admin_password').with(value: 'x', secret: true) }
        it { is_expected.to contain_jtrove_guestagent_config('DEFAULT/report_interval').with_value('3') }
      end
    end
  end
end
