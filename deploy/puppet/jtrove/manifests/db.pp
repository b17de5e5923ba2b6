# @summary The `[database]` options of jtrove.conf, through puppet-oslo's oslo::db.
#
# @param database_connection
#   `[database] connection` (secret), in oslo.db's form: mysql+pymysql://USER:PASS@HOST[:PORT]/DB,
#   postgresql://USER:PASS@HOST[:PORT]/DB (`<SERVICE DEFAULT>`: jtrove's embedded store, for one host only).
# @param database_max_pool_size
#   `[database] max_pool_size`.
# @param database_pool_timeout
#   `[database] pool_timeout` in seconds.
# @param database_connection_recycle_time
#   `[database] connection_recycle_time` in seconds.
class jtrove::db (
  $database_connection              = $facts['os_service_default'],
  $database_max_pool_size           = $facts['os_service_default'],
  $database_pool_timeout            = $facts['os_service_default'],
  $database_connection_recycle_time = $facts['os_service_default'],
) {
  include jtrove::deps

  if !is_service_default($database_connection) {
    # The forms jtrove maps to JDBC (README, "Metadata on MariaDB or PostgreSQL"); sqlite is refused there too.
    unless $database_connection =~ /^(mysql|mariadb|postgresql)(\+[a-z0-9]+)?:\/\/\S+$/ {
      fail('jtrove::db: database_connection must be mysql+pymysql://, mariadb:// or postgresql:// (got another scheme)')
    }
  }

  oslo::db { 'jtrove_config':
    connection              => $database_connection,
    max_pool_size           => $database_max_pool_size,
    pool_timeout            => $database_pool_timeout,
    connection_recycle_time => $database_connection_recycle_time,
    # jtrove speaks JDBC: no Python driver to install.
    manage_backend_package  => false,
  }
}
