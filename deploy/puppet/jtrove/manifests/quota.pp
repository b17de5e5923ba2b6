# @summary Default per-project quotas (Trove's keys; admins override them per project through the API).
#
# @param max_instances_per_tenant
#   `[DEFAULT] max_instances_per_tenant` (-1: unlimited).
# @param max_volumes_per_tenant
#   `[DEFAULT] max_volumes_per_tenant`, GB of volume (-1: unlimited).
# @param max_backups_per_tenant
#   `[DEFAULT] max_backups_per_tenant` (-1: unlimited).
# @param max_ram_per_tenant
#   `[DEFAULT] max_ram_per_tenant`, MB of flavor RAM (-1: unlimited).
class jtrove::quota (
  $max_instances_per_tenant = $facts['os_service_default'],
  $max_volumes_per_tenant   = $facts['os_service_default'],
  $max_backups_per_tenant   = $facts['os_service_default'],
  $max_ram_per_tenant       = $facts['os_service_default'],
) {
  include jtrove::deps

  jtrove_config {
    'DEFAULT/max_instances_per_tenant': value => $max_instances_per_tenant;
    'DEFAULT/max_volumes_per_tenant':   value => $max_volumes_per_tenant;
    'DEFAULT/max_backups_per_tenant':   value => $max_backups_per_tenant;
    'DEFAULT/max_ram_per_tenant':       value => $max_ram_per_tenant;
  }
}
