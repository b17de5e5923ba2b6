# @summary The jtrove API service (`jtrove api`): the Trove v1.0 REST API, on port 8779 by default.
#
# Includes jtrove::db, jtrove::db::sync (unless sync_db is false) and, with auth_strategy keystone,
# jtrove::keystone::authtoken, as puppet-trove's trove::api does.
#
# @param package_ensure
#   Ensure of the jtrove-api package.
# @param enabled
#   Whether the service runs.
# @param manage_service
#   Whether Puppet manages the service.
# @param service_provider
#   systemd or runit.
# @param bind_host
#   `[DEFAULT] bind_host`.
# @param bind_port
#   `[DEFAULT] bind_port`.
# @param public_endpoint
#   `[DEFAULT] public_endpoint`: the base URL in the service catalog and in openrc.
# @param cert_file
#   `[ssl] cert_file`: with key_file, the API speaks HTTPS only.
# @param key_file
#   `[ssl] key_file`.
# @param auth_strategy
#   `[DEFAULT] auth_strategy`: builtin (jtrove's own Keystone v3 compatible identity), keystone (validate tokens
#   with the Keystone of jtrove::keystone::authtoken) or noauth (development only).
# @param admin_password
#   `[identity] admin_password` (secret): the built-in identity's bootstrap admin at first start; default:
#   generated and written to STATE/openrc only.
# @param token_expiration
#   `[token] expiration` in seconds (built-in identity).
# @param rate_limit_per_minute
#   `[DEFAULT] rate_limit_per_minute`.
# @param page_size
#   `[DEFAULT] page_size`.
# @param max_accepted_volume_size
#   `[DEFAULT] max_accepted_volume_size` in GB.
# @param max_request_body_size
#   `[oslo_middleware] max_request_body_size` in bytes.
# @param agent_heartbeat_expiry
#   `[DEFAULT] agent_heartbeat_expiry` in seconds.
# @param sync_db
#   Whether to run `jtrove manage db_sync` (jtrove::db::sync).
# @param purge_config
#   Whether to remove every key of jtrove.conf that no jtrove_config resource manages.
class jtrove::api (
  $package_ensure           = 'present',
  Boolean $enabled          = true,
  Boolean $manage_service   = true,
  String[1] $service_provider = 'systemd',
  $bind_host                = $facts['os_service_default'],
  $bind_port                = $facts['os_service_default'],
  $public_endpoint          = $facts['os_service_default'],
  $cert_file                = $facts['os_service_default'],
  $key_file                 = $facts['os_service_default'],
  Enum['builtin', 'keystone', 'noauth'] $auth_strategy = 'builtin',
  $admin_password           = $facts['os_service_default'],
  $token_expiration         = $facts['os_service_default'],
  $rate_limit_per_minute    = $facts['os_service_default'],
  $page_size                = $facts['os_service_default'],
  $max_accepted_volume_size = $facts['os_service_default'],
  $max_request_body_size    = $facts['os_service_default'],
  $agent_heartbeat_expiry   = $facts['os_service_default'],
  Boolean $sync_db          = true,
  Boolean $purge_config     = false,
) {
  include jtrove::deps
  include jtrove::params
  include jtrove::db

  if $sync_db {
    include jtrove::db::sync
  }
  if $auth_strategy == 'keystone' {
    include jtrove::keystone::authtoken
  }

  resources { 'jtrove_config':
    purge => $purge_config,
  }

  jtrove_config {
    'DEFAULT/bind_host':                     value => $bind_host;
    'DEFAULT/bind_port':                     value => $bind_port;
    'DEFAULT/public_endpoint':               value => $public_endpoint;
    'ssl/cert_file':                         value => $cert_file;
    'ssl/key_file':                          value => $key_file;
    'DEFAULT/auth_strategy':                 value => $auth_strategy;
    'identity/admin_password':               value => $admin_password, secret => true;
    'token/expiration':                      value => $token_expiration;
    'DEFAULT/rate_limit_per_minute':         value => $rate_limit_per_minute;
    'DEFAULT/page_size':                     value => $page_size;
    'DEFAULT/max_accepted_volume_size':      value => $max_accepted_volume_size;
    'oslo_middleware/max_request_body_size': value => $max_request_body_size;
    'DEFAULT/agent_heartbeat_expiry':        value => $agent_heartbeat_expiry;
  }

  jtrove::generic_service { 'api':
    enabled          => $enabled,
    manage_service   => $manage_service,
    package_name     => $jtrove::params::api_package_name,
    service_name     => $jtrove::params::api_service_name,
    ensure_package   => $package_ensure,
    service_provider => $service_provider,
  }
}
