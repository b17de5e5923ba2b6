# @summary One jtrove service: its package and its service, as puppet-trove's trove::generic_service.
#
# @param package_name
#   The package to install; undef for none.
# @param service_name
#   The service (systemd unit or runit service directory name); undef for none.
# @param enabled
#   Whether the service runs (ensure running) and starts at boot.
# @param manage_service
#   Whether Puppet manages the service at all.
# @param ensure_package
#   The package's ensure (present, latest or a version).
# @param service_provider
#   The service provider: systemd (ordinary hosts) or runit (hosts without systemd; the packages ship
#   /etc/sv/jtrove-NAME).
#
# The title is the service's short name (api, conductor, ...); resources are titled jtrove-TITLE and tagged so
# that jtrove::deps orders them.
define jtrove::generic_service (
  $package_name,
  $service_name,
  Boolean $enabled          = true,
  Boolean $manage_service   = true,
  $ensure_package           = 'present',
  String[1] $service_provider = 'systemd',
) {
  include jtrove::deps
  include jtrove::params

  $jtrove_title = "jtrove-${name}"

  if $package_name {
    if !defined(Package[$package_name]) {
      package { $jtrove_title:
        ensure => $ensure_package,
        name   => $package_name,
        tag    => ['openstack', 'jtrove-package'],
      }
    }
  }

  if $service_name and $manage_service {
    $service_ensure = $enabled ? {
      true    => 'running',
      default => 'stopped',
    }
    service { $jtrove_title:
      ensure     => $service_ensure,
      name       => $service_name,
      enable     => $enabled,
      hasstatus  => true,
      hasrestart => true,
      provider   => $service_provider,
      tag        => ['jtrove-service'],
    }
  }
}
