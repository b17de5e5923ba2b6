# @summary The jtrove guest agent of this host (`jtrove guestagent`, as root), configured key by key in
# /etc/jtrove/jtrove-guestagent.conf.
#
# Unlike Trove's, whose agent runs inside each database VM, jtrove's guest agent runs on every host that holds
# instances and starts their database servers there, each as an OS user of its own; so it is enabled by default.
#
# @param package_ensure
#   Ensure of the jtrove-guestagent package.
# @param enabled
#   Whether the service runs.
# @param manage_service
#   Whether Puppet manages the service.
# @param service_provider
#   systemd or runit.
# @param report_interval
#   `[DEFAULT] report_interval`: seconds between two heartbeats.
# @param address_base
#   `[DEFAULT] address_base`: instances on this host get loopback addresses 127.BASE.y.z.
# @param database_os_user
#   `[DEFAULT] database_os_user`: the unprivileged user that initialises template data directories.
# @param spare_data_dirs
#   `[DEFAULT] spare_data_dirs`: ready copies of each build's initialised data directory.
class jtrove::guestagent (
  $package_ensure             = 'present',
  Boolean $enabled            = true,
  Boolean $manage_service     = true,
  String[1] $service_provider = 'systemd',
  $report_interval            = $facts['os_service_default'],
  $address_base               = $facts['os_service_default'],
  $database_os_user           = $facts['os_service_default'],
  $spare_data_dirs            = $facts['os_service_default'],
) {
  include jtrove::deps
  include jtrove::params

  jtrove_guestagent_config {
    'DEFAULT/report_interval':  value => $report_interval;
    'DEFAULT/address_base':     value => $address_base;
    'DEFAULT/database_os_user': value => $database_os_user;
    'DEFAULT/spare_data_dirs':  value => $spare_data_dirs;
  }

  jtrove::generic_service { 'guestagent':
    enabled          => $enabled,
    manage_service   => $manage_service,
    package_name     => $jtrove::params::guestagent_package_name,
    service_name     => $jtrove::params::guestagent_service_name,
    ensure_package   => $package_ensure,
    service_provider => $service_provider,
  }
}
