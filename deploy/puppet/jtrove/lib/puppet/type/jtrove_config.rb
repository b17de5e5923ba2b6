# frozen_string_literal: true

require File.expand_path('../../puppet_x/jtrove/ini_type', __dir__)

Puppet::Type.newtype(:jtrove_config) do
  desc 'One key of /etc/jtrove/jtrove.conf, named SECTION/key (the file every jtrove service reads).'
  PuppetX::Jtrove::IniType.define(self, '/etc/jtrove/jtrove.conf')
end
