# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::quota' do
  keys = ['max_instances_per_tenant', 'max_volumes_per_tenant', 'max_backups_per_tenant', 'max_ram_per_tenant']

  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      context 'with defaults' do
        keys.each { |k| it { is_expected.to contain_jtrove_config("DEFAULT/#{k}").with_value('<SERVICE DEFAULT>') } }
      end

      context 'with overrides' do
        let(:params) { keys.each_with_index.to_h { |k, i| [k.to_sym, i + 7] } }

        keys.each_with_index { |k, i| it { is_expected.to contain_jtrove_config("DEFAULT/#{k}").with_value(i + 7) } }
      end
    end
  end
end
