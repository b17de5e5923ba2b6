# @summary The metadata database and its user on PostgreSQL, through openstacklib::db::postgresql.
#
# @param password
#   The jtrove database user's password.
# @param dbname
#   The database.
# @param user
#   The database user.
# @param encoding
#   The database's encoding.
# @param privileges
#   The privileges the user gets on the database.
class jtrove::db::postgresql (
  String[1] $password,
  $dbname     = 'jtrove',
  $user       = 'jtrove',
  $encoding   = 'UTF8',
  $privileges = 'ALL',
) {
  include jtrove::deps

  openstacklib::db::postgresql { 'jtrove':
    password   => $password,
    dbname     => $dbname,
    user       => $user,
    encoding   => $encoding,
    privileges => $privileges,
  }

  Anchor['jtrove::db::begin']
  ~> Class['jtrove::db::postgresql']
  ~> Anchor['jtrove::db::end']
}
