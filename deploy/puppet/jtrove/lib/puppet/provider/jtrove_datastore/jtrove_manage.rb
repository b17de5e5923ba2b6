# frozen_string_literal: true

require File.expand_path('../../../puppet_x/jtrove/manage', __dir__)

Puppet::Type.type(:jtrove_datastore).provide(:jtrove_manage) do
  desc 'Datastores through `jtrove manage datastore-list` and `datastore-update`.'

  mk_resource_methods

  def self.instances(config_file = '/etc/jtrove/jtrove.conf')
    PuppetX::Jtrove::Manage.rows(config_file, 3, 'datastore-list').map do |name, manager, version|
      new(name: name, ensure: :present, manager: manager, version: version.empty? ? nil : version)
    end
  end

  def self.prefetch(resources)
    config_file = resources.values.first[:config_file]
    found = instances(config_file)
    resources.each do |name, resource|
      provider = found.find { |p| p.name == name }
      resource.provider = provider if provider
    end
  end

  def exists?
    @property_hash[:ensure] == :present
  end

  def create
    update(resource[:manager], resource[:version])
    @property_hash[:ensure] = :present
  end

  def manager=(value)
    raise Puppet::Error, "datastore #{resource[:name]} has manager #{@property_hash[:manager]}; a datastore keeps its manager (#{value} asked)"
  end

  def version=(value)
    update(@property_hash[:manager], value)
  end

  private

  def update(manager, version)
    args = ['datastore-update', resource[:name], '--manager', manager]
    args += ['--default-version', version] if version
    PuppetX::Jtrove::Manage.run(resource[:config_file], *args)
  end
end
