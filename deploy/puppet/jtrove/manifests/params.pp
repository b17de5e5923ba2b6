# @summary Names jtrove's packages, services, user and files have, per OS family.
#
# Debian's packages come from deploy/build-packages (jtrove-common, jtrove-api, jtrove-taskmanager,
# jtrove-conductor, jtrove-guestagent).
class jtrove::params {
  include openstacklib::defaults

  $client_package_name         = 'python3-troveclient'
  $common_package_name         = 'jtrove-common'
  $api_package_name            = 'jtrove-api'
  $api_service_name            = 'jtrove-api'
  $taskmanager_package_name    = 'jtrove-taskmanager'
  $taskmanager_service_name    = 'jtrove-taskmanager'
  $conductor_package_name      = 'jtrove-conductor'
  $conductor_service_name      = 'jtrove-conductor'
  $guestagent_package_name     = 'jtrove-guestagent'
  $guestagent_service_name     = 'jtrove-guestagent'
  $user                        = 'jtrove'
  $group                       = 'jtrove'
  $config_dir                  = '/etc/jtrove'
  $config_file                 = '/etc/jtrove/jtrove.conf'
  $guestagent_config_file      = '/etc/jtrove/jtrove-guestagent.conf'
  $defaults_file               = '/etc/default/jtrove'
  $state_path                  = '/var/lib/jtrove'
  $service_provider            = 'systemd'

  case $facts['os']['family'] {
    'Debian': {}
    default: {
      fail("Unsupported osfamily: ${facts['os']['family']}: jtrove is packaged for Debian and Ubuntu")
    }
  }
}
