# frozen_string_literal: true

Puppet::Type.type(:jtrove_guestagent_config).provide(
  :openstackconfig,
  parent: Puppet::Type.type(:openstack_config).provider(:ruby),
) do
  desc 'Keys of /etc/jtrove/jtrove-guestagent.conf through openstacklib\'s INI provider.'

  def self.file_path
    '/etc/jtrove/jtrove-guestagent.conf'
  end
end
