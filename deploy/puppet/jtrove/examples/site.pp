# One host running all of jtrove, the way puppet-trove's example deploys Trove: RabbitMQ, MariaDB for the metadata,
# jtrove's four services, the client, identity, and a registered `mysql` datastore version and flavor.
#
# As root, from the repository root:
#   deploy/build-packages        # the packages and the local apt repository /srv/jtrove-apt
#   puppet apply --modulepath deploy/puppet:/usr/share/puppet/modules deploy/puppet/jtrove/examples/site.pp
# then
#   source /var/lib/jtrove/openrc
#   openstack database instance create db1 --flavor db.small --size 1 --datastore mysql --datastore-version 10.11 \
#     --databases app --users alice:change-me
#
# Everything listens on 127.0.0.1 only, and the metadata MariaDB and RabbitMQ on ports of their own, so the
# instances' own servers (127.x.y.z:3306 ...) never collide with them. Secrets are generated on this host at the
# first apply (/root/.jtrove-site-seed, 0600) and derived from that seed, so every apply agrees with the first.
#
# Settings come from facts, so a test can change them without editing this file (FACTER_jtrove_api_port=8790 ...):
#   jtrove_api_port (8779), jtrove_metadata_port (13306), jtrove_rabbit_port (15782), jtrove_rabbit_mgmt_port
#   (15882), jtrove_epmd_port (14369), jtrove_address_base (180), jtrove_max_instances (10),
#   jtrove_service_provider (systemd on systemd hosts, else runit), jtrove_apt_repo (/srv/jtrove-apt),
#   jtrove_database_os_user (jtrove-db),
#   jtrove_image_version / jtrove_image_manager / jtrove_image_bin_dir / jtrove_image_base_dir (the "MySQL image":
#   today Debian's MariaDB 10.11 in /usr/sbin, run by the mysql guest agent plugin),
#   jtrove_identity (builtin; keystone: jtrove::keystone::auth and ::authtoken against the Keystone at
#   jtrove_keystone_url, http://127.0.0.1:5000, with the Keystone admin's credentials in
#   /etc/openstack/puppet/admin-clouds.yaml as keystone::bootstrap writes them, and OS_AUTH_URL as the only OS_*
#   variable: puppet-keystone's password check of the service user would be scoped by any other).

$api_port         = Integer(pick($facts['jtrove_api_port'], 8779))
$metadata_port    = Integer(pick($facts['jtrove_metadata_port'], 13306))
$rabbit_port      = Integer(pick($facts['jtrove_rabbit_port'], 15782))
$rabbit_mgmt_port = Integer(pick($facts['jtrove_rabbit_mgmt_port'], 15882))
$epmd_port        = Integer(pick($facts['jtrove_epmd_port'], 14369))
$address_base     = Integer(pick($facts['jtrove_address_base'], 180))
$max_instances    = Integer(pick($facts['jtrove_max_instances'], 10))
$apt_repo         = pick($facts['jtrove_apt_repo'], '/srv/jtrove-apt')
$identity_service = pick($facts['jtrove_identity'], 'builtin')
$keystone_url     = pick($facts['jtrove_keystone_url'], 'http://127.0.0.1:5000')
$database_os_user = pick($facts['jtrove_database_os_user'], $facts['os_service_default'])
$image_version    = pick($facts['jtrove_image_version'], '10.11')
$image_manager    = pick($facts['jtrove_image_manager'], 'mysql')
$image_bin_dir    = pick($facts['jtrove_image_bin_dir'], '/usr/sbin')
$image_base_dir   = pick($facts['jtrove_image_base_dir'], '/usr')
$services_provider = pick($facts['jtrove_service_provider'], $facts['service_provider'] ? {
  'systemd' => 'systemd',
  default   => 'runit',
})

# This host's secrets: a random seed made once, at the first apply, and kept by root.
$seed = generate('/bin/sh', '-c',
  'umask 077; f=/root/.jtrove-site-seed; [ -s "$f" ] || head -c 32 /dev/urandom | base64 > "$f"; tr -d "\n" < "$f"')
$db_password       = sha256("${seed}:metadata")[0, 32]
$rabbit_password   = sha256("${seed}:rabbitmq")[0, 32]
$keystone_password = sha256("${seed}:keystone")[0, 32]
$backup_key        = base64('encode', sha256("${seed}:backup")[0, 32], 'strict')

# ---- the packages: the local apt repository deploy/build-packages made ------------------------------------------
file { '/etc/apt/sources.list.d/jtrove-local.list':
  content => "deb [trusted=yes] file:${apt_repo} ./\n",
}
~> exec { 'apt-get update (jtrove-local)':
  command     => join(['apt-get update -o Dir::Etc::sourcelist=sources.list.d/jtrove-local.list',
                        '-o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0'], ' '),
  path        => ['/usr/bin', '/bin'],
  refreshonly => true,
}
-> Anchor['jtrove::install::begin']

if $services_provider == 'runit' {
  package { 'runit':
    ensure => present,
    before => Anchor['jtrove::service::begin'],
  }
}

# ---- RabbitMQ: the bus between the services ----------------------------------------------------------------------
class { 'rabbitmq':
  port                    => $rabbit_port,
  node_ip_address         => '127.0.0.1',
  management_ip_address   => '127.0.0.1',
  management_port         => $rabbit_mgmt_port,
  delete_guest_user       => true,
  environment_variables   => {
    'RABBITMQ_DIST_PORT' => $rabbit_port + 10000,
    'ERL_EPMD_PORT'      => $epmd_port,
    'ERL_EPMD_ADDRESS'   => '127.0.0.1',
  },
  config_kernel_variables => {
    'inet_dist_use_interface' => '{127,0,0,1}',
  },
}
rabbitmq_user { 'jtrove':
  admin    => true,
  password => $rabbit_password,
}
rabbitmq_user_permissions { 'jtrove@/':
  configure_permission => '.*',
  read_permission      => '.*',
  write_permission     => '.*',
}
Rabbitmq_user_permissions['jtrove@/'] -> Anchor['jtrove::service::begin']

# ---- MariaDB: the metadata store ---------------------------------------------------------------------------------
class { 'mysql::server':
  override_options   => {
    'mysqld' => {
      'bind-address' => '127.0.0.1',
      'port'         => $metadata_port,
    },
  },
  create_root_user   => false,
  create_root_my_cnf => false,
  restart            => true,
}
class { 'jtrove::db::mysql':
  password => $db_password,
}

# ---- jtrove ------------------------------------------------------------------------------------------------------
class { 'jtrove':
  default_transport_url => "rabbit://jtrove:${rabbit_password}@127.0.0.1:${rabbit_port}/",
  rabbit_management_url => "http://jtrove:${rabbit_password}@127.0.0.1:${rabbit_mgmt_port}",
  state_path            => '/var/lib/jtrove',
  backup_key            => Sensitive($backup_key),
}
class { 'jtrove::db':
  database_connection => "mysql+pymysql://jtrove:${db_password}@127.0.0.1:${metadata_port}/jtrove",
}
# ---- identity: jtrove's own by default, or a Keystone's catalog (declared before jtrove::api, which includes -------
# ---- jtrove::keystone::authtoken) -------------------------------------------------------------------------------
if $identity_service == 'keystone' {
  keystone_tenant { 'services':
    ensure  => present,
    enabled => true,
  }
  class { 'jtrove::keystone::auth':
    password     => $keystone_password,
    public_url   => "http://127.0.0.1:${api_port}/v1.0/%(tenant_id)s",
    internal_url => "http://127.0.0.1:${api_port}/v1.0/%(tenant_id)s",
    admin_url    => "http://127.0.0.1:${api_port}/v1.0/%(tenant_id)s",
  }
  class { 'jtrove::keystone::authtoken':
    password             => $keystone_password,
    auth_url             => $keystone_url,
    www_authenticate_uri => $keystone_url,
  }
  Keystone_tenant['services'] -> Keystone::Resource::Service_identity['jtrove']
}

$auth_strategy = $identity_service ? {
  'keystone' => 'keystone',
  default    => 'builtin',
}
class { 'jtrove::api':
  bind_host        => '127.0.0.1',
  bind_port        => $api_port,
  public_endpoint  => "http://127.0.0.1:${api_port}",
  auth_strategy    => $auth_strategy,
  service_provider => $services_provider,
}
class { 'jtrove::conductor':
  service_provider => $services_provider,
}
class { 'jtrove::taskmanager':
  service_provider => $services_provider,
}
class { 'jtrove::guestagent':
  address_base     => $address_base,
  database_os_user => $database_os_user,
  service_provider => $services_provider,
}
class { 'jtrove::quota':
  max_instances_per_tenant => $max_instances,
}
class { 'jtrove::client': }

# ---- the "MySQL image" and a flavor: what `openstack database instance create` needs -------------------------------
jtrove_datastore_version { "mysql/${image_version}":
  manager  => $image_manager,
  bin_dir  => $image_bin_dir,
  base_dir => $image_base_dir,
  active   => true,
}
jtrove_datastore { 'mysql':
  manager => $image_manager,
  version => $image_version,
}
jtrove_flavor { 'db.small':
  id    => '10',
  ram   => 1024,
  vcpus => 1,
}
