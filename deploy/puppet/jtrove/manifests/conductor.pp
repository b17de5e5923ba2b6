# @summary The jtrove conductor service (`jtrove conductor`): stores the guest agents' heartbeats and reports.
#
# @param package_ensure
#   Ensure of the jtrove-conductor package.
# @param enabled
#   Whether the service runs.
# @param manage_service
#   Whether Puppet manages the service.
# @param service_provider
#   systemd or runit.
class jtrove::conductor (
  $package_ensure             = 'present',
  Boolean $enabled            = true,
  Boolean $manage_service     = true,
  String[1] $service_provider = 'systemd',
) {
  include jtrove::deps
  include jtrove::params
  include jtrove::db

  jtrove::generic_service { 'conductor':
    enabled          => $enabled,
    manage_service   => $manage_service,
    package_name     => $jtrove::params::conductor_package_name,
    service_name     => $jtrove::params::conductor_service_name,
    ensure_package   => $package_ensure,
    service_provider => $service_provider,
  }
}
