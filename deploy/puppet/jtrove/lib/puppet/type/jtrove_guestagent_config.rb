# frozen_string_literal: true

require File.expand_path('../../puppet_x/jtrove/ini_type', __dir__)

Puppet::Type.newtype(:jtrove_guestagent_config) do
  desc 'One key of /etc/jtrove/jtrove-guestagent.conf, named SECTION/key (read by jtrove guestagent after jtrove.conf).'
  PuppetX::Jtrove::IniType.define(self, '/etc/jtrove/jtrove-guestagent.conf')
end
