# @summary The metadata database and its user on MySQL/MariaDB, through openstacklib::db::mysql.
#
# @param password
#   The jtrove database user's password.
# @param dbname
#   The database.
# @param user
#   The database user.
# @param host
#   The host the user connects from.
# @param charset
#   The database's character set (utf8mb4: jtrove's migrations expect it).
# @param collate
#   The database's collation (utf8mb4_nopad_bin, as jtrove's first MariaDB migration sets).
# @param allowed_hosts
#   More hosts the user may connect from.
class jtrove::db::mysql (
  String[1] $password,
  $dbname        = 'jtrove',
  $user          = 'jtrove',
  $host          = '127.0.0.1',
  $charset       = 'utf8mb4',
  $collate       = 'utf8mb4_nopad_bin',
  $allowed_hosts = undef,
) {
  include jtrove::deps

  openstacklib::db::mysql { 'jtrove':
    user          => $user,
    password      => $password,
    dbname        => $dbname,
    host          => $host,
    charset       => $charset,
    collate       => $collate,
    allowed_hosts => $allowed_hosts,
  }

  Anchor['jtrove::db::begin']
  ~> Class['jtrove::db::mysql']
  ~> Anchor['jtrove::db::end']
}
