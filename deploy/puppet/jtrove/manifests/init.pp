# @summary jtrove's common part: the common package, the message bus, and the settings every service shares.
#
# Like puppet-trove's `trove` class: messaging through puppet-oslo (`oslo::messaging::default`,
# `oslo::messaging::rabbit`) on the jtrove_config type, plus jtrove's own compute and backup settings. Parameters
# left at `$facts['os_service_default']` (`<SERVICE DEFAULT>`) leave their key out, so jtrove's default applies.
#
# @param package_ensure
#   Ensure of the jtrove-common package (present, latest or a version).
# @param default_transport_url
#   `[DEFAULT] transport_url`, rabbit://USER:PASS@HOST:PORT/VHOST (secret).
# @param control_exchange
#   `[DEFAULT] control_exchange`, the exchange all of jtrove's topics live in.
# @param rpc_response_timeout
#   oslo.messaging's call timeout in seconds.
# @param rabbit_use_ssl
#   `[oslo_messaging_rabbit] ssl`: TLS to the broker.
# @param kombu_ssl_ca_certs
#   `[oslo_messaging_rabbit] ssl_ca_file`.
# @param kombu_ssl_certfile
#   `[oslo_messaging_rabbit] ssl_cert_file`.
# @param kombu_ssl_keyfile
#   `[oslo_messaging_rabbit] ssl_key_file`.
# @param heartbeat_timeout_threshold
#   `[oslo_messaging_rabbit] heartbeat_timeout_threshold` in seconds.
# @param rabbit_qos_prefetch_count
#   `[oslo_messaging_rabbit] rabbit_qos_prefetch_count`.
# @param rabbit_quorum_queue
#   `[oslo_messaging_rabbit] rabbit_quorum_queue`: quorum queues for the taskmanager and conductor topics.
# @param rabbit_management_url
#   `[oslo_messaging_rabbit] management_url` (secret): the broker's management API, where the taskmanager creates
#   each guest's own broker user (default: the transport URL's host on port 15672, same credentials).
# @param state_path
#   `[DEFAULT] state_path`: the state directory (the packages make /var/lib/jtrove).
# @param os_region_name
#   `[DEFAULT] os_region_name`.
# @param default_datastore
#   `[DEFAULT] default_datastore`: the datastore of a create that names none.
# @param public_address
#   `[DEFAULT] public_address`: the host's address public instances are published on.
# @param public_ports
#   `[DEFAULT] public_ports`: the ports handed out on public_address, e.g. 16000-16999.
# @param backup_storage
#   `[DEFAULT] backup_storage`: local or s3.
# @param backup_dir
#   `[DEFAULT] backup_dir`: the directory of local backups.
# @param backup_key
#   The installation's backup key (base64 of 32 bytes). Given, Puppet writes it to
#   /etc/jtrove/backup.key (root:jtrove 0640) and points backup_key_file at it; not given, jtrove makes one on
#   this host at its first start (STATE/backup.key). It is never shipped in a package. Keep a copy.
# @param backup_key_file
#   `[DEFAULT] backup_key_file`, when the key lives elsewhere (ignored when backup_key is given).
# @param backup_s3_endpoint
#   `[DEFAULT] backup_s3_endpoint`.
# @param backup_s3_region
#   `[DEFAULT] backup_s3_region`.
# @param backup_s3_bucket
#   `[DEFAULT] backup_s3_bucket`.
# @param backup_s3_prefix
#   `[DEFAULT] backup_s3_prefix`.
# @param backup_s3_access_key
#   `[DEFAULT] backup_s3_access_key`.
# @param backup_s3_secret_key
#   `[DEFAULT] backup_s3_secret_key` (secret).
# @param backup_s3_path_style
#   `[DEFAULT] backup_s3_path_style`.
class jtrove (
  $package_ensure              = 'present',
  $default_transport_url       = $facts['os_service_default'],
  $control_exchange            = $facts['os_service_default'],
  $rpc_response_timeout        = $facts['os_service_default'],
  $rabbit_use_ssl              = $facts['os_service_default'],
  $kombu_ssl_ca_certs          = $facts['os_service_default'],
  $kombu_ssl_certfile          = $facts['os_service_default'],
  $kombu_ssl_keyfile           = $facts['os_service_default'],
  $heartbeat_timeout_threshold = $facts['os_service_default'],
  $rabbit_qos_prefetch_count   = $facts['os_service_default'],
  $rabbit_quorum_queue         = $facts['os_service_default'],
  $rabbit_management_url       = $facts['os_service_default'],
  $state_path                  = $facts['os_service_default'],
  $os_region_name              = $facts['os_service_default'],
  $default_datastore           = $facts['os_service_default'],
  $public_address              = $facts['os_service_default'],
  $public_ports                = $facts['os_service_default'],
  $backup_storage              = $facts['os_service_default'],
  $backup_dir                  = $facts['os_service_default'],
  Optional[Variant[String[1], Sensitive[String[1]]]] $backup_key = undef,
  $backup_key_file             = $facts['os_service_default'],
  $backup_s3_endpoint          = $facts['os_service_default'],
  $backup_s3_region            = $facts['os_service_default'],
  $backup_s3_bucket            = $facts['os_service_default'],
  $backup_s3_prefix            = $facts['os_service_default'],
  $backup_s3_access_key        = $facts['os_service_default'],
  $backup_s3_secret_key        = $facts['os_service_default'],
  $backup_s3_path_style        = $facts['os_service_default'],
) {
  include jtrove::deps
  include jtrove::params

  package { 'jtrove-common':
    ensure => $package_ensure,
    name   => $jtrove::params::common_package_name,
    tag    => ['openstack', 'jtrove-package'],
  }

  oslo::messaging::default { 'jtrove_config':
    transport_url        => $default_transport_url,
    control_exchange     => $control_exchange,
    rpc_response_timeout => $rpc_response_timeout,
  }

  # puppet-oslo's names for the TLS options (rabbit_use_ssl, kombu_ssl_*) are oslo.messaging's own: [ssl,
  # ssl_ca_file, ssl_cert_file, ssl_key_file] in the file, as jtrove reads them.
  oslo::messaging::rabbit { 'jtrove_config':
    rabbit_use_ssl              => $rabbit_use_ssl,
    kombu_ssl_ca_certs          => $kombu_ssl_ca_certs,
    kombu_ssl_certfile          => $kombu_ssl_certfile,
    kombu_ssl_keyfile           => $kombu_ssl_keyfile,
    heartbeat_timeout_threshold => $heartbeat_timeout_threshold,
    rabbit_qos_prefetch_count   => $rabbit_qos_prefetch_count,
  }

  if $backup_key {
    $key_file = "${jtrove::params::config_dir}/backup.key"
    $key_text = $backup_key ? {
      Sensitive => $backup_key.unwrap,
      default   => $backup_key,
    }
    file { $key_file:
      ensure    => file,
      content   => Sensitive("${key_text}\n"),
      owner     => 'root',
      group     => $jtrove::params::group,
      mode      => '0640',
      show_diff => false,
      tag       => ['jtrove-config'],
      require   => Anchor['jtrove::install::end'],
    }
  } else {
    $key_file = $backup_key_file
  }

  jtrove_config {
    'oslo_messaging_rabbit/rabbit_quorum_queue': value => $rabbit_quorum_queue;
    'oslo_messaging_rabbit/management_url':      value => $rabbit_management_url, secret => true;
    'DEFAULT/state_path':                        value => $state_path;
    'DEFAULT/os_region_name':                    value => $os_region_name;
    'DEFAULT/default_datastore':                 value => $default_datastore;
    'DEFAULT/public_address':                    value => $public_address;
    'DEFAULT/public_ports':                      value => $public_ports;
    'DEFAULT/backup_storage':                    value => $backup_storage;
    'DEFAULT/backup_dir':                        value => $backup_dir;
    'DEFAULT/backup_key_file':                   value => $key_file;
    'DEFAULT/backup_s3_endpoint':                value => $backup_s3_endpoint;
    'DEFAULT/backup_s3_region':                  value => $backup_s3_region;
    'DEFAULT/backup_s3_bucket':                  value => $backup_s3_bucket;
    'DEFAULT/backup_s3_prefix':                  value => $backup_s3_prefix;
    'DEFAULT/backup_s3_access_key':              value => $backup_s3_access_key;
    'DEFAULT/backup_s3_secret_key':              value => $backup_s3_secret_key, secret => true;
    'DEFAULT/backup_s3_path_style':              value => $backup_s3_path_style;
  }
}
