# @summary The command-line client: `openstack database ...` (python3-troveclient and the openstack client).
#
# @param ensure
#   Ensure of the client packages.
class jtrove::client (
  $ensure = 'present',
) {
  include jtrove::deps
  include jtrove::params

  package { 'python-troveclient':
    ensure => $ensure,
    name   => $jtrove::params::client_package_name,
    tag    => ['openstack', 'openstackclient'],
  }

  include openstacklib::openstackclient
}
