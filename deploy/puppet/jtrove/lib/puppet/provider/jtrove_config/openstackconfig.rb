# frozen_string_literal: true

Puppet::Type.type(:jtrove_config).provide(
  :openstackconfig,
  parent: Puppet::Type.type(:openstack_config).provider(:ruby),
) do
  desc 'Keys of /etc/jtrove/jtrove.conf through openstacklib\'s INI provider.'

  def self.file_path
    '/etc/jtrove/jtrove.conf'
  end
end
