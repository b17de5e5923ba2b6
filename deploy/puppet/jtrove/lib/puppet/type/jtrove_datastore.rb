# frozen_string_literal: true

Puppet::Type.newtype(:jtrove_datastore) do
  desc <<-DOC
    A datastore of jtrove (e.g. mysql, postgresql, redis), registered with `jtrove manage datastore-update` as
    trove_datastore registers Trove's with `trove-manage datastore_update`. Its versions are jtrove_datastore_version
    resources; `version` makes one of them the default.
  DOC

  ensurable do
    desc 'Only present: a datastore with instances cannot be removed this way.'
    newvalue(:present) { provider.create }
    defaultto :present
  end

  newparam(:name, namevar: true) do
    desc 'The datastore name.'
    newvalues(%r{\A[A-Za-z0-9_.-]{1,64}\z})
  end

  newproperty(:manager) do
    desc 'The guest agent plugin that runs its servers: postgresql, mysql or redis. Cannot change once set.'
    newvalues(%r{\A[a-z0-9_]+\z})
  end

  newproperty(:version) do
    desc 'The name of the default version (a jtrove_datastore_version of this datastore); unset: left as it is.'
    newvalues(%r{\A[A-Za-z0-9_.-]{1,64}\z})
  end

  newparam(:config_file) do
    desc 'The configuration file `jtrove manage` reads.'
    defaultto '/etc/jtrove/jtrove.conf'
  end

  validate do
    raise ArgumentError, 'jtrove_datastore needs a manager' if self[:manager].nil?
  end

  autorequire(:anchor) { ['jtrove::dbsync::end'] }
  autorequire(:jtrove_datastore_version) { self[:version] ? ["#{self[:name]}/#{self[:version]}"] : [] }
end
