# @summary How much jtrove's services log. jtrove logs to standard output (the journal under systemd,
# /var/log/jtrove/SERVICE under runit); its level is JTROVE_LOG_LEVEL, set in /etc/default/jtrove.
#
# @param debug
#   true: DEBUG; false: INFO; `<SERVICE DEFAULT>`: leave the line out (INFO).
# @param log_level
#   An explicit level (ERROR, WARN, INFO, DEBUG, TRACE); wins over debug.
class jtrove::logging (
  $debug     = $facts['os_service_default'],
  $log_level = $facts['os_service_default'],
) {
  include jtrove::deps
  include jtrove::params

  if !is_service_default($log_level) {
    unless $log_level =~ /^(ERROR|WARN|INFO|DEBUG|TRACE)$/ {
      fail("jtrove::logging: log_level must be ERROR, WARN, INFO, DEBUG or TRACE, not ${log_level}")
    }
    $level = $log_level
  } elsif is_service_default($debug) {
    $level = undef
  } else {
    $level = $debug ? {
      true    => 'DEBUG',
      default => 'INFO',
    }
  }

  $line_ensure = $level ? {
    undef   => 'absent',
    default => 'present',
  }
  file_line { 'jtrove-log-level':
    ensure            => $line_ensure,
    path              => $jtrove::params::defaults_file,
    line              => "export JTROVE_LOG_LEVEL=${level}",
    match             => '^\s*(export\s+)?JTROVE_LOG_LEVEL=',
    match_for_absence => true,
    tag               => ['jtrove-config'],
    require           => Anchor['jtrove::install::end'],
  }
}
