# @summary The jtrove task manager service (`jtrove taskmanager`): create, resize, backup, restore, delete.
#
# @param package_ensure
#   Ensure of the jtrove-taskmanager package.
# @param enabled
#   Whether the service runs.
# @param manage_service
#   Whether Puppet manages the service.
# @param service_provider
#   systemd or runit.
# @param usage_timeout
#   `[DEFAULT] usage_timeout`: seconds a create may take to become ACTIVE.
# @param backup_timeout
#   `[DEFAULT] backup_timeout`: seconds a backup may take.
# @param task_lease
#   `[DEFAULT] task_lease`: seconds a task manager holds a task without renewing its lease.
class jtrove::taskmanager (
  $package_ensure             = 'present',
  Boolean $enabled            = true,
  Boolean $manage_service     = true,
  String[1] $service_provider = 'systemd',
  $usage_timeout              = $facts['os_service_default'],
  $backup_timeout             = $facts['os_service_default'],
  $task_lease                 = $facts['os_service_default'],
) {
  include jtrove::deps
  include jtrove::params
  include jtrove::db

  jtrove_config {
    'DEFAULT/usage_timeout':  value => $usage_timeout;
    'DEFAULT/backup_timeout': value => $backup_timeout;
    'DEFAULT/task_lease':     value => $task_lease;
  }

  jtrove::generic_service { 'taskmanager':
    enabled          => $enabled,
    manage_service   => $manage_service,
    package_name     => $jtrove::params::taskmanager_package_name,
    service_name     => $jtrove::params::taskmanager_service_name,
    ensure_package   => $package_ensure,
    service_provider => $service_provider,
  }
}
