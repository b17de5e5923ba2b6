# frozen_string_literal: true

require 'spec_helper'
require 'puppet'
require 'puppet/type/jtrove_datastore'
require 'puppet/type/jtrove_datastore_version'
require 'puppet/type/jtrove_flavor'

# The registration providers against a stand-in for `jtrove manage`: each call is recorded, listings answer from
# a table the test keeps (as jtrove's --tsv listings print it, log lines included), and updates change that table.
describe 'the jtrove manage providers' do
  let(:calls) { [] }
  let(:state) { { datastores: [], versions: [], flavors: [] } }

  before(:each) do
    allow(Etc).to receive(:getpwnam).with('jtrove').and_raise(ArgumentError)
    allow(Puppet::Util::Execution).to receive(:execute) do |cmd, _options|
      expect(cmd[0..3]).to eq(['/usr/bin/jtrove', 'manage', '--config-file', '/etc/jtrove/jtrove.conf'])
      args = cmd[4..-1]
      calls << args
      answer(args)
    end
  end

  def answer(args)
    noise = "12:00:00 WARN  [main] an oslo option jtrove does not use\n"
    case args[0]
    when 'datastore-list' then noise + state[:datastores].map { |r| r.join("\t") + "\n" }.join
    when 'datastore-version-list' then noise + state[:versions].map { |r| r.join("\t") + "\n" }.join
    when 'flavor-list' then state[:flavors].map { |r| r.join("\t") + "\n" }.join
    else ''
    end
  end

  def provider_for(type_name, attrs)
    type = Puppet::Type.type(type_name)
    resource = type.new(attrs)
    type.provider(:jtrove_manage).prefetch(resource[:name] => resource)
    resource.provider = type.provider(:jtrove_manage).new(resource) unless resource.provider.is_a?(type.provider(:jtrove_manage)) && resource.provider.get(:ensure) == :present
    resource
  end

  # Applies a resource the way a transaction does: create when absent, else set the properties that differ, then flush.
  def apply(type_name, attrs)
    resource = provider_for(type_name, attrs)
    provider = resource.provider
    if !provider.exists?
      provider.create
    else
      resource.properties.each do |p|
        next if p.name == :ensure
        provider.send("#{p.name}=", p.should) unless p.safe_insync?(provider.send(p.name))
      end
    end
    provider.flush if provider.respond_to?(:flush)
    resource
  end

  describe 'jtrove_datastore_version' do
    it 'registers a new version with every property' do
      apply(:jtrove_datastore_version, name: 'mysql/10.11', manager: 'mysql', bin_dir: '/usr/sbin', base_dir: '/usr')
      expect(calls).to eq([['datastore-version-list', '--tsv'],
                           ['datastore-version-update', 'mysql', '10.11', '--manager', 'mysql', '--bin-dir', '/usr/sbin', '--base-dir', '/usr']])
    end

    it 'changes nothing when the listing matches' do
      state[:versions] << ['mysql', '10.11', 'mysql', '10.11', 'active', '/usr/sbin', '/usr']
      apply(:jtrove_datastore_version, name: 'mysql/10.11', manager: 'mysql', bin_dir: '/usr/sbin', base_dir: '/usr')
      expect(calls).to eq([['datastore-version-list', '--tsv']])
    end

    it 'updates a version made inactive or moved' do
      state[:versions] << ['mysql', '10.11', 'mysql', '10.11', 'active', '/opt/old/bin', '/opt/old']
      apply(:jtrove_datastore_version, name: 'mysql/10.11', manager: 'mysql', bin_dir: '/usr/sbin', active: false)
      expect(calls.last).to eq(['datastore-version-update', 'mysql', '10.11', '--manager', 'mysql', '--bin-dir', '/usr/sbin', '--inactive'])
    end
  end

  describe 'jtrove_datastore' do
    it 'creates a datastore with its default version' do
      apply(:jtrove_datastore, name: 'mysql', manager: 'mysql', version: '10.11')
      expect(calls.last).to eq(['datastore-update', 'mysql', '--manager', 'mysql', '--default-version', '10.11'])
    end

    it 'changes nothing when it is registered as asked' do
      state[:datastores] << ['mysql', 'mysql', '10.11']
      apply(:jtrove_datastore, name: 'mysql', manager: 'mysql', version: '10.11')
      expect(calls).to eq([['datastore-list', '--tsv']])
    end

    it 'sets another default version' do
      state[:datastores] << ['mysql', 'mysql', '']
      apply(:jtrove_datastore, name: 'mysql', manager: 'mysql', version: '10.11')
      expect(calls.last).to eq(['datastore-update', 'mysql', '--manager', 'mysql', '--default-version', '10.11'])
    end

    it 'refuses to change a manager' do
      state[:datastores] << ['mysql', 'postgresql', '']
      expect { apply(:jtrove_datastore, name: 'mysql', manager: 'mysql') }.to raise_error(Puppet::Error, %r{keeps its manager})
    end
  end

  describe 'jtrove_flavor' do
    it 'creates a flavor' do
      apply(:jtrove_flavor, name: 'db.small', id: '10', ram: 1024)
      expect(calls.last).to eq(['flavor-create', '10', 'db.small', '--ram', '1024', '--vcpus', '1', '--disk', '0'])
    end

    it 'changes nothing when the listing matches' do
      state[:flavors] << ['10', 'db.small', '1024', '1', '0']
      apply(:jtrove_flavor, name: 'db.small', id: '10', ram: 1024)
      expect(calls).to eq([['flavor-list', '--tsv']])
    end

    it 'resizes a flavor' do
      state[:flavors] << ['10', 'db.small', '512', '1', '0']
      apply(:jtrove_flavor, name: 'db.small', id: '10', ram: 1024, vcpus: 2)
      expect(calls.last).to eq(['flavor-create', '10', 'db.small', '--ram', '1024', '--vcpus', '2', '--disk', '0'])
    end

    it 'deletes a flavor by its id' do
      state[:flavors] << ['10', 'db.small', '512', '1', '0']
      resource = provider_for(:jtrove_flavor, name: 'db.small', ensure: :absent)
      resource.provider.destroy
      expect(calls.last).to eq(['flavor-delete', '10'])
    end
  end
end
