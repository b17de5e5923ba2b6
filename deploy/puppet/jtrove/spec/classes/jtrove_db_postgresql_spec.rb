# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::db::postgresql' do
  let(:pre_condition) { "class { 'postgresql::globals': version => '15' }\ninclude postgresql::server" }

  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts.merge(concat_basedir: '/var/lib/puppet/concat') }

      context 'with defaults' do
        let(:params) { { password: 'pw' } }

        it { is_expected.to contain_openstacklib__db__postgresql('jtrove').with(user: 'jtrove', dbname: 'jtrove', encoding: 'UTF8', privileges: 'ALL') }
        it { is_expected.to contain_anchor('jtrove::db::begin').that_notifies('Class[jtrove::db::postgresql]') }
      end

      context 'with overrides' do
        let(:params) { { password: 'pw', dbname: 'meta', user: 'svc', encoding: 'LATIN1' } }

        it { is_expected.to contain_openstacklib__db__postgresql('jtrove').with(dbname: 'meta', user: 'svc', encoding: 'LATIN1') }
      end
    end
  end
end
