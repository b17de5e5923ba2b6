# frozen_string_literal: true

require 'spec_helper'
require 'puppet'
require 'puppet/type/jtrove_config'
require 'puppet/type/jtrove_guestagent_config'

[:jtrove_config, :jtrove_guestagent_config].each do |type_name|
  describe "Puppet::Type.type(:#{type_name})" do
    let(:type) { Puppet::Type.type(type_name) }

    it 'takes SECTION/key names only' do
      expect { type.new(name: 'DEFAULT/bind_port', value: '8779') }.not_to raise_error
      expect { type.new(name: 'bind_port', value: '8779') }.to raise_error(Puppet::Error, %r{Invalid value})
    end

    it 'strips values and writes booleans as oslo does' do
      expect(type.new(name: 'DEFAULT/x', value: ' 12 ')[:value]).to eq(['12'])
      expect(type.new(name: 'DEFAULT/x', value: true)[:value]).to eq(['True'])
      expect(type.new(name: 'DEFAULT/x', value: 'false')[:value]).to eq(['False'])
    end

    it 'redacts secrets in reports' do
      secret = type.new(name: 'DEFAULT/transport_url', value: 'rabbit://u:p@h/', secret: true)
      property = secret.property(:value)
      expect(property.is_to_s('rabbit://u:old@h/')).to eq('[old secret redacted]')
      expect(property.should_to_s('rabbit://u:p@h/')).to eq('[new secret redacted]')
      plain = type.new(name: 'DEFAULT/page_size', value: '20').property(:value)
      expect(plain.should_to_s('20')).to eq('20')
    end

    it 'is in sync when the file holds the value (the provider reads values as lists)' do
      property = type.new(name: 'DEFAULT/bind_port', value: 8779).property(:value)
      expect(property.safe_insync?(['8779'])).to be true
      expect(property.safe_insync?(['8780'])).to be false
    end

    it 'treats <SERVICE DEFAULT> as "leave the key out"' do
      expect(type.new(name: 'DEFAULT/x', value: '1')[:ensure_absent_val]).to eq('<SERVICE DEFAULT>')
    end

    it 'autorequires the end of the installation' do
      anchor = Puppet::Type.type(:anchor).new(name: 'jtrove::install::end')
      resource = type.new(name: 'DEFAULT/x', value: '1')
      catalog = Puppet::Resource::Catalog.new
      catalog.add_resource(anchor, resource)
      dependency = resource.autorequire
      expect(dependency.size).to eq(1)
      expect(dependency[0].target).to eq(resource)
      expect(dependency[0].source).to eq(anchor)
    end
  end
end
