# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::client' do
  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      context 'with defaults' do
        it { is_expected.to contain_package('python-troveclient').with(ensure: 'present', name: 'python3-troveclient') }
        it { is_expected.to contain_class('openstacklib::openstackclient') }
        it { is_expected.to contain_package('python3-openstackclient') }
      end

      context 'with ensure latest' do
        let(:params) { { ensure: 'latest' } }

        it { is_expected.to contain_package('python-troveclient').with_ensure('latest') }
      end
    end
  end
end
