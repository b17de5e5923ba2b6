# frozen_string_literal: true

require 'spec_helper'
require 'tmpdir'
require 'puppet'
require 'puppet/type/jtrove_config'
require 'puppet/type/jtrove_guestagent_config'

# The INI providers on a real file: a key is written into its section, changed in place, and removed by
# `<SERVICE DEFAULT>`; other lines stay as they were.
{ jtrove_config: '/etc/jtrove/jtrove.conf', jtrove_guestagent_config: '/etc/jtrove/jtrove-guestagent.conf' }.each do |type_name, path|
  describe Puppet::Type.type(type_name).provider(:openstackconfig) do
    let(:type_name) { type_name }
    let(:dir) { Dir.mktmpdir('jtrove-ini') }
    let(:file) { File.join(dir, 'test.conf') }

    before(:each) do
      File.write(file, "# a comment\n[DEFAULT]\n#bind_port = 8779\npage_size = 20\n")
      allow(described_class).to receive(:file_path).and_return(file)
    end

    after(:each) { FileUtils.rm_rf(dir) }

    def apply(attrs)
      resource = Puppet::Type.type(type_name).new(attrs)
      provider = described_class.new(resource)
      resource.provider = provider
      if provider.exists?
        provider.value = resource[:value] if resource[:ensure] != :absent && provider.value != resource[:value]
        provider.destroy if resource[:ensure] == :absent
      elsif resource[:ensure] != :absent
        provider.create
      end
      provider
    end

    it "manages #{path}" do
      expect(described_class.instance_method(:file_path)).not_to be_nil
    end

    it 'adds a key to its section, after its commented default, and keeps the rest' do
      apply(name: 'DEFAULT/bind_port', value: '8790')
      apply(name: 'database/connection', value: 'mysql+pymysql://u:p@h/db', secret: true)
      text = File.read(file)
      expect(text).to match(%r{^\[DEFAULT\]\n#bind_port = 8779\nbind_port\s?=\s?8790\npage_size = 20\n}m)
      expect(text).to match(%r{^\[database\]\nconnection\s?=\s?mysql\+pymysql://u:p@h/db$})
      expect(text).to start_with("# a comment\n")
    end

    it 'changes a key in place' do
      provider = apply(name: 'DEFAULT/page_size', value: '50')
      expect(Array(provider.value)).to eq(['50'])
      expect(File.read(file)).to match(%r{^page_size\s?=\s?50$})
      expect(File.read(file).scan(%r{page_size}).size).to eq(1)
    end

    it 'removes a key given <SERVICE DEFAULT>' do
      apply(name: 'DEFAULT/page_size', value: '<SERVICE DEFAULT>')
      expect(File.read(file)).not_to match(%r{^page_size})
      expect(File.read(file)).to include('#bind_port = 8779')
    end
  end
end
