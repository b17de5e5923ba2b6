# frozen_string_literal: true

Puppet::Type.newtype(:jtrove_flavor) do
  desc 'A flavor of jtrove (RAM and vCPUs of an instance), by name, managed with `jtrove manage flavor-create`.'

  ensurable

  newparam(:name, namevar: true) do
    desc 'The flavor name, e.g. db.small.'
    newvalues(%r{\A[A-Za-z0-9_.-]{1,64}\z})
  end

  newparam(:id) do
    desc 'The flavor id (what `--flavor` takes); cannot change once created.'
    newvalues(%r{\A[A-Za-z0-9_.-]{1,64}\z})
  end

  newproperty(:ram) do
    desc 'RAM in MB (at least 64).'
    newvalues(%r{\A\d+\z})
    validate { |v| raise ArgumentError, "ram must be at least 64 MB, not #{v}" if v.to_i < 64 }
    munge(&:to_s)
  end

  newproperty(:vcpus) do
    desc 'Virtual CPUs (at least 1).'
    newvalues(%r{\A[1-9]\d*\z})
    defaultto '1'
    munge(&:to_s)
  end

  newproperty(:disk) do
    desc 'Disk in GB (informational: volumes are sized per instance).'
    newvalues(%r{\A\d+\z})
    defaultto '0'
    munge(&:to_s)
  end

  newparam(:config_file) do
    desc 'The configuration file `jtrove manage` reads.'
    defaultto '/etc/jtrove/jtrove.conf'
  end

  validate do
    if self[:ensure] != :absent
      raise ArgumentError, "jtrove_flavor #{self[:name]} needs an id" if self[:id].nil?
      raise ArgumentError, "jtrove_flavor #{self[:name]} needs ram" if self[:ram].nil?
    end
  end

  autorequire(:anchor) { ['jtrove::dbsync::end'] }
end
