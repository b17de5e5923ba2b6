# frozen_string_literal: true

require File.expand_path('../../../puppet_x/jtrove/manage', __dir__)
require File.expand_path('../../../puppet_x/jtrove/registration', __dir__)

Puppet::Type.type(:jtrove_flavor).provide(:jtrove_manage) do
  desc 'Flavors through `jtrove manage flavor-list`, `flavor-create` and `flavor-delete`.'

  include PuppetX::Jtrove::Registration
  mk_resource_methods

  def self.instances(config_file = '/etc/jtrove/jtrove.conf')
    PuppetX::Jtrove::Manage.rows(config_file, 5, 'flavor-list').map do |id, name, ram, vcpus, disk|
      new(name: name, id: id, ensure: :present, ram: ram, vcpus: vcpus, disk: disk)
    end
  end

  def destroy
    PuppetX::Jtrove::Manage.run(resource[:config_file], 'flavor-delete', @property_hash[:id])
    @property_hash[:ensure] = :absent
  end

  changed_by :ram, :vcpus, :disk

  def flush
    return unless @changed && @property_hash[:ensure] == :present
    if @property_hash[:id] && @property_hash[:id] != resource[:id]
      raise Puppet::Error, "flavor #{resource[:name]} has id #{@property_hash[:id]}; a flavor keeps its id (#{resource[:id]} asked)"
    end
    PuppetX::Jtrove::Manage.run(resource[:config_file], 'flavor-create', resource[:id], resource[:name],
                                '--ram', resource[:ram], '--vcpus', resource[:vcpus], '--disk', resource[:disk])
    @changed = false
  end
end
