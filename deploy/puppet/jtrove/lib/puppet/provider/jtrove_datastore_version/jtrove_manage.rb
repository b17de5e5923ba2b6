# frozen_string_literal: true

require File.expand_path('../../../puppet_x/jtrove/manage', __dir__)
require File.expand_path('../../../puppet_x/jtrove/registration', __dir__)

Puppet::Type.type(:jtrove_datastore_version).provide(:jtrove_manage) do
  desc 'Datastore versions through `jtrove manage datastore-version-list` and `datastore-version-update`.'

  include PuppetX::Jtrove::Registration
  mk_resource_methods

  def self.instances(config_file = '/etc/jtrove/jtrove.conf')
    PuppetX::Jtrove::Manage.rows(config_file, 7, 'datastore-version-list').map do |ds, name, manager, number, active, bin, base|
      new(name: "#{ds}/#{name}", ensure: :present, manager: manager, version_number: number,
          active: (active == 'active') ? :true : :false, bin_dir: bin, base_dir: base)
    end
  end

  changed_by :manager, :bin_dir, :base_dir, :version_number, :active

  # One datastore-version-update with every property as the resource wants it (unset ones: jtrove's defaults).
  def flush
    return unless @changed
    datastore, version = resource[:name].split('/', 2)
    args = ['datastore-version-update', datastore, version, '--manager', resource[:manager], '--bin-dir', resource[:bin_dir]]
    args += ['--base-dir', resource[:base_dir]] if resource[:base_dir]
    args += ['--version-number', resource[:version_number]] if resource[:version_number]
    args << '--inactive' if resource[:active].to_s == 'false'
    PuppetX::Jtrove::Manage.run(resource[:config_file], *args)
    @changed = false
  end
end
