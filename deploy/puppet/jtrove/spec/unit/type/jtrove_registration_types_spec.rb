# frozen_string_literal: true

require 'spec_helper'
require 'puppet'
require 'puppet/type/jtrove_datastore'
require 'puppet/type/jtrove_datastore_version'
require 'puppet/type/jtrove_flavor'

describe 'the registration types' do
  describe Puppet::Type.type(:jtrove_datastore) do
    it 'needs a manager and a valid name' do
      expect { described_class.new(name: 'mysql', manager: 'mysql') }.not_to raise_error
      expect { described_class.new(name: 'mysql') }.to raise_error(Puppet::Error, %r{needs a manager})
      expect { described_class.new(name: 'my sql', manager: 'mysql') }.to raise_error(Puppet::Error, %r{Invalid value})
    end

    it 'autorequires its default version and the db sync' do
      catalog = Puppet::Resource::Catalog.new
      anchor = Puppet::Type.type(:anchor).new(name: 'jtrove::dbsync::end')
      version = Puppet::Type.type(:jtrove_datastore_version).new(name: 'mysql/10.11', manager: 'mysql', bin_dir: '/usr/sbin')
      ds = described_class.new(name: 'mysql', manager: 'mysql', version: '10.11')
      catalog.add_resource(anchor, version, ds)
      expect(ds.autorequire.map(&:source)).to contain_exactly(anchor, version)
    end
  end

  describe Puppet::Type.type(:jtrove_datastore_version) do
    it 'is titled DATASTORE/VERSION and needs a manager and a bin_dir' do
      expect { described_class.new(name: 'mysql/10.11', manager: 'mysql', bin_dir: '/usr/sbin') }.not_to raise_error
      expect { described_class.new(name: '10.11', manager: 'mysql', bin_dir: '/usr/sbin') }.to raise_error(Puppet::Error, %r{Invalid value})
      expect { described_class.new(name: 'mysql/10.11', manager: 'mysql') }.to raise_error(Puppet::Error, %r{needs bin_dir})
      expect { described_class.new(name: 'mysql/10.11', manager: 'mysql', bin_dir: 'usr/sbin') }.to raise_error(Puppet::Error, %r{Invalid value})
    end

    it 'is active by default' do
      expect(described_class.new(name: 'mysql/10.11', manager: 'mysql', bin_dir: '/usr/sbin')[:active]).to eq(:true)
    end
  end

  describe Puppet::Type.type(:jtrove_flavor) do
    it 'needs an id and at least 64 MB' do
      expect { described_class.new(name: 'db.small', id: '10', ram: 1024) }.not_to raise_error
      expect { described_class.new(name: 'db.small', ram: 1024) }.to raise_error(Puppet::Error, %r{needs an id})
      expect { described_class.new(name: 'db.small', id: '10', ram: 32) }.to raise_error(Puppet::Error, %r{at least 64})
      expect { described_class.new(name: 'db.small', ensure: :absent) }.not_to raise_error
    end

    it 'defaults to 1 vCPU and no disk' do
      flavor = described_class.new(name: 'db.small', id: '10', ram: 1024)
      expect(flavor[:vcpus]).to eq('1')
      expect(flavor[:disk]).to eq('0')
    end
  end
end
