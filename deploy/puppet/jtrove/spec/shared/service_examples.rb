# frozen_string_literal: true

# What every service class (api, conductor, taskmanager, guestagent) does with its generic_service: its package
# in the install anchors, its service in the service anchors, ensure/enable from `enabled`, no service with
# manage_service false, and the provider as a parameter.
RSpec.shared_examples 'a jtrove service' do |name|
  context 'with defaults' do
    it { is_expected.to contain_class('jtrove::deps') }
    it {
      is_expected.to contain_jtrove__generic_service(name).with(
        enabled: true, manage_service: true, package_name: "jtrove-#{name}", service_name: "jtrove-#{name}",
        ensure_package: 'present', service_provider: 'systemd',
      )
    }
    it { is_expected.to contain_package("jtrove-#{name}").with(ensure: 'present', tag: ['openstack', 'jtrove-package']) }
    it {
      is_expected.to contain_service("jtrove-#{name}").with(
        ensure: 'running', enable: true, provider: 'systemd', hasstatus: true, hasrestart: true, tag: ['jtrove-service'],
      )
    }
    it { is_expected.to contain_service("jtrove-#{name}").that_subscribes_to('Anchor[jtrove::service::begin]') }
    it { is_expected.to contain_service("jtrove-#{name}").that_notifies('Anchor[jtrove::service::end]') }
    it { is_expected.to contain_package("jtrove-#{name}").that_notifies('Anchor[jtrove::install::end]') }
  end

  context 'disabled' do
    let(:params) { (defined?(super) ? super() : {}).merge(enabled: false) }

    it { is_expected.to contain_service("jtrove-#{name}").with(ensure: 'stopped', enable: false) }
  end

  context 'with manage_service => false' do
    let(:params) { (defined?(super) ? super() : {}).merge(manage_service: false) }

    it { is_expected.not_to contain_service("jtrove-#{name}") }
    it { is_expected.to contain_package("jtrove-#{name}") }
  end

  context 'under runit, with a package version' do
    let(:params) { (defined?(super) ? super() : {}).merge(service_provider: 'runit', package_ensure: '0.1.0~1') }

    it { is_expected.to contain_service("jtrove-#{name}").with(provider: 'runit') }
    it { is_expected.to contain_package("jtrove-#{name}").with(ensure: '0.1.0~1') }
  end
end
