# @summary Runs `jtrove manage db_sync` (trove-manage db_sync's counterpart) when jtrove is installed or
# reconfigured; the services refuse a schema that is behind.
#
# @param db_sync_timeout
#   Seconds the migrations may take.
# @param extra_params
#   Arguments before db_sync (the configuration file).
class jtrove::db::sync (
  $db_sync_timeout = 300,
  $extra_params    = '--config-file /etc/jtrove/jtrove.conf',
) {
  include jtrove::deps
  include jtrove::params

  exec { 'jtrove-manage db_sync':
    command     => "jtrove manage ${extra_params} db_sync",
    path        => ['/bin', '/usr/bin'],
    user        => $jtrove::params::user,
    cwd         => '/',
    refreshonly => true,
    try_sleep   => 5,
    tries       => 10,
    timeout     => $db_sync_timeout,
    logoutput   => 'on_failure',
    subscribe   => [
      Anchor['jtrove::install::end'],
      Anchor['jtrove::config::end'],
      Anchor['jtrove::dbsync::begin'],
    ],
    notify      => Anchor['jtrove::dbsync::end'],
    tag         => 'openstack-db',
  }
}
