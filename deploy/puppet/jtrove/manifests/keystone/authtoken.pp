# @summary The `[keystone_authtoken]` options with which jtrove's API validates tokens against Keystone
# (auth_strategy keystone), through keystone::resource::authtoken.
#
# jtrove reads auth_url, username, password, project_name and token_cache_time; the other keystonemiddleware
# options this writes are accepted with a warning.
#
# @param password
#   The service user's password (secret).
# @param username
#   The service user.
# @param auth_url
#   Keystone's identity endpoint.
# @param www_authenticate_uri
#   The endpoint clients are sent to authenticate.
# @param project_name
#   The service user's project.
# @param user_domain_name
#   The service user's domain.
# @param project_domain_name
#   The project's domain.
# @param auth_type
#   The keystoneauth plugin.
# @param region_name
#   The region.
# @param token_cache_time
#   Seconds a validated token is trusted without asking Keystone again.
# @param insecure
#   Whether to skip TLS verification.
class jtrove::keystone::authtoken (
  String[1] $password,
  $username             = 'jtrove',
  $auth_url             = 'http://127.0.0.1:5000',
  $www_authenticate_uri = 'http://127.0.0.1:5000',
  $project_name         = 'services',
  $user_domain_name     = 'Default',
  $project_domain_name  = 'Default',
  $auth_type            = 'password',
  $region_name          = $facts['os_service_default'],
  $token_cache_time     = $facts['os_service_default'],
  $insecure             = $facts['os_service_default'],
) {
  include jtrove::deps

  keystone::resource::authtoken { 'jtrove_config':
    username             => $username,
    password             => $password,
    project_name         => $project_name,
    auth_url             => $auth_url,
    www_authenticate_uri => $www_authenticate_uri,
    user_domain_name     => $user_domain_name,
    project_domain_name  => $project_domain_name,
    auth_type            => $auth_type,
    region_name          => $region_name,
    token_cache_time     => $token_cache_time,
    insecure             => $insecure,
  }
}
