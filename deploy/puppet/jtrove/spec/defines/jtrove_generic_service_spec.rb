# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::generic_service' do
  let(:title) { 'foo' }

  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      context 'with a package and a service' do
        let(:params) { { package_name: 'jtrove-foo', service_name: 'jtrove-foo-svc' } }

        it { is_expected.to contain_package('jtrove-foo').with(ensure: 'present', name: 'jtrove-foo', tag: ['openstack', 'jtrove-package']) }
        it {
          is_expected.to contain_service('jtrove-foo').with(
            ensure: 'running', name: 'jtrove-foo-svc', enable: true, provider: 'systemd', tag: ['jtrove-service'],
          )
        }
        it { is_expected.to contain_service('jtrove-foo').that_subscribes_to('Anchor[jtrove::service::begin]') }
      end

      context 'disabled, under runit' do
        let(:params) { { package_name: 'jtrove-foo', service_name: 'jtrove-foo', enabled: false, service_provider: 'runit' } }

        it { is_expected.to contain_service('jtrove-foo').with(ensure: 'stopped', enable: false, provider: 'runit') }
      end

      context 'with manage_service => false' do
        let(:params) { { package_name: 'jtrove-foo', service_name: 'jtrove-foo', manage_service: false } }

        it { is_expected.not_to contain_service('jtrove-foo') }
        it { is_expected.to contain_package('jtrove-foo') }
      end

      context 'without a package' do
        let(:params) { { package_name: false, service_name: 'jtrove-foo' } }

        it { is_expected.not_to contain_package('jtrove-foo') }
        it { is_expected.to contain_service('jtrove-foo') }
      end

      context 'with its package declared elsewhere' do
        let(:pre_condition) { "package { 'jtrove-foo': ensure => present }" }
        let(:params) { { package_name: 'jtrove-foo', service_name: 'jtrove-foo', ensure_package: 'latest' } }

        it { is_expected.to contain_package('jtrove-foo').with_ensure('present') }
      end
    end
  end
end
