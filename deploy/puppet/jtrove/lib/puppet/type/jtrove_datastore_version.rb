# frozen_string_literal: true

Puppet::Type.newtype(:jtrove_datastore_version) do
  desc <<-DOC
    A datastore version of jtrove, titled DATASTORE/VERSION (e.g. mysql/10.11): the "import an image" step.
    jtrove's image is a server build on the host: the directory with its binaries. Registered (and changed) with
    `jtrove manage datastore-version-update`, as trove_datastore_version does with
    `trove-manage datastore_version_update`; registering it also creates its datastore. Versions cannot be
    deleted (instances and backups name them): make one inactive instead.
  DOC

  ensurable do
    desc 'Only present.'
    newvalue(:present) { provider.create }
    defaultto :present
  end

  newparam(:name, namevar: true) do
    desc 'DATASTORE/VERSION.'
    newvalues(%r{\A[A-Za-z0-9_.-]{1,64}/[A-Za-z0-9_.-]{1,64}\z})
  end

  newproperty(:manager) do
    desc 'The guest agent plugin: postgresql, mysql or redis.'
    newvalues(%r{\A[a-z0-9_]+\z})
  end

  newproperty(:bin_dir) do
    desc 'Absolute directory holding the server binaries (e.g. /usr/sbin for Debian\'s MariaDB).'
    newvalues(%r{\A/\S*\z})
  end

  newproperty(:base_dir) do
    desc 'Installation root of the build (default: the parent of bin_dir).'
    newvalues(%r{\A/\S*\z})
  end

  newproperty(:version_number) do
    desc 'The server\'s version number (default: the version name).'
    newvalues(%r{\A[A-Za-z0-9_.-]+\z})
  end

  newproperty(:active) do
    desc 'Whether users can create instances of it.'
    newvalues(:true, :false)
    defaultto :true
  end

  newparam(:config_file) do
    desc 'The configuration file `jtrove manage` reads.'
    defaultto '/etc/jtrove/jtrove.conf'
  end

  validate do
    [:manager, :bin_dir].each do |p|
      raise ArgumentError, "jtrove_datastore_version #{self[:name]} needs #{p}" if self[p].nil?
    end
  end

  def datastore
    self[:name].split('/', 2).first
  end

  def version_name
    self[:name].split('/', 2).last
  end

  autorequire(:anchor) { ['jtrove::dbsync::end'] }
end
