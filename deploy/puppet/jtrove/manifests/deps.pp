# @summary The anchor chain every jtrove class hangs its resources on, as puppet-trove's trove::deps.
#
# install::begin -> packages ~> install::end -> config::begin -> jtrove_config ~> config::end -> db::begin ->
# db::end ~> dbsync::begin -> dbsync::end ~> service::begin ~> services ~> service::end.
# Resources join by type or tag (jtrove-package, jtrove-service, jtrove-config), so no class names another's
# resources. A package or configuration change restarts the services; datastores, versions and flavors are
# registered once the schema is current.
class jtrove::deps {
  anchor { 'jtrove::install::begin': }
  -> Package<| tag == 'jtrove-package' |>
  ~> anchor { 'jtrove::install::end': }
  -> anchor { 'jtrove::config::begin': }
  -> Jtrove_config<||>
  ~> anchor { 'jtrove::config::end': }
  -> anchor { 'jtrove::db::begin': }
  -> anchor { 'jtrove::db::end': }
  ~> anchor { 'jtrove::dbsync::begin': }
  -> anchor { 'jtrove::dbsync::end': }
  ~> anchor { 'jtrove::service::begin': }
  ~> Service<| tag == 'jtrove-service' |>
  ~> anchor { 'jtrove::service::end': }

  Anchor['jtrove::config::begin']
  -> Jtrove_guestagent_config<||>
  ~> Anchor['jtrove::config::end']

  # Files the classes write beside the INI keys (the backup key, /etc/default/jtrove).
  Anchor['jtrove::config::begin']
  -> File<| tag == 'jtrove-config' |>
  ~> Anchor['jtrove::config::end']
  Anchor['jtrove::config::begin']
  -> File_line<| tag == 'jtrove-config' |>
  ~> Anchor['jtrove::config::end']

  # All [database] settings are in place before the schema is synced.
  Oslo::Db<||> -> Anchor['jtrove::dbsync::begin']

  # Registrations need the current schema.
  Anchor['jtrove::dbsync::end'] -> Jtrove_datastore_version<||> -> Jtrove_datastore<||>
  Anchor['jtrove::dbsync::end'] -> Jtrove_flavor<||>

  # An install or a configuration change always restarts the services.
  Anchor['jtrove::install::end'] ~> Anchor['jtrove::service::begin']
  Anchor['jtrove::config::end'] ~> Anchor['jtrove::service::begin']
}
