# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::conductor' do
  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      it_behaves_like 'a jtrove service', 'conductor'
      it { is_expected.to contain_class('jtrove::db') }
    end
  end
end
