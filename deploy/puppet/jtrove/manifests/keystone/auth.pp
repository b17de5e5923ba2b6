# @summary jtrove's entries in Keystone: the service user, the service of type `database` and its endpoints
# (http://HOST:8779/v1.0/%(tenant_id)s), through keystone::resource::service_identity, as trove::keystone::auth.
#
# @param password
#   The service user's password.
# @param auth_name
#   The service user's name.
# @param email
#   The service user's email.
# @param tenant
#   The service user's project.
# @param roles
#   The service user's roles in that project (the role `service` is created when missing).
# @param system_scope
#   The scope of system_roles.
# @param system_roles
#   System-scoped roles of the service user.
# @param configure_endpoint
#   Whether to manage the endpoints.
# @param configure_user
#   Whether to manage the user.
# @param configure_user_role
#   Whether to manage the user's roles.
# @param configure_service
#   Whether to manage the service.
# @param service_name
#   The service's name.
# @param service_type
#   The service's type: `database`, which the openstack client's database commands look up.
# @param service_description
#   The service's description.
# @param region
#   The endpoints' region.
# @param public_url
#   The public endpoint.
# @param internal_url
#   The internal endpoint.
# @param admin_url
#   The admin endpoint.
class jtrove::keystone::auth (
  String[1] $password,
  $auth_name                   = 'jtrove',
  $email                       = 'jtrove@localhost',
  $tenant                      = 'services',
  Array[String[1]] $roles      = ['admin', 'service'],
  $system_scope                = 'all',
  Array[String[1]] $system_roles = [],
  Boolean $configure_endpoint  = true,
  Boolean $configure_user      = true,
  Boolean $configure_user_role = true,
  Boolean $configure_service   = true,
  $service_name                = 'jtrove',
  $service_type                = 'database',
  $service_description         = 'Database as a Service (jtrove)',
  $region                      = 'RegionOne',
  $public_url                  = 'http://127.0.0.1:8779/v1.0/%(tenant_id)s',
  $internal_url                = 'http://127.0.0.1:8779/v1.0/%(tenant_id)s',
  $admin_url                   = 'http://127.0.0.1:8779/v1.0/%(tenant_id)s',
) {
  include jtrove::deps

  if $configure_user_role and 'service' in $roles {
    ensure_resource('keystone_role', 'service', { 'ensure' => 'present' })
  }

  Keystone::Resource::Service_identity['jtrove'] -> Anchor['jtrove::service::end']

  keystone::resource::service_identity { 'jtrove':
    configure_user      => $configure_user,
    configure_user_role => $configure_user_role,
    configure_endpoint  => $configure_endpoint,
    configure_service   => $configure_service,
    service_name        => $service_name,
    service_type        => $service_type,
    service_description => $service_description,
    region              => $region,
    auth_name           => $auth_name,
    password            => $password,
    email               => $email,
    tenant              => $tenant,
    roles               => $roles,
    system_scope        => $system_scope,
    system_roles        => $system_roles,
    public_url          => $public_url,
    admin_url           => $admin_url,
    internal_url        => $internal_url,
  }
}
