# frozen_string_literal: true

require File.expand_path('../../puppet_x/jtrove/ini_type', __dir__)

Puppet::Type.newtype(:jtrove_config) do
  desc <<-DOC
    One key of /etc/jtrove/jtrove.conf, titled SECTION/key (e.g. DEFAULT/bind_port), as puppet-openstack's *_config types.
    The definition is shared with its sibling type (PuppetX::Jtrove::IniType):
    * `ensure`: present or absent.
    * `value`: the value; a list writes the key once per element; `<SERVICE DEFAULT>` (see ensure_absent_val)
      removes the key, so jtrove's own default applies; true/false are written True/False.
    * `secret`: true keeps the value out of reports and logs ([redacted]).
    * `ensure_absent_val`: the value that removes the key, `<SERVICE DEFAULT>` by default.
  DOC
  PuppetX::Jtrove::IniType.define(self, '/etc/jtrove/jtrove.conf')
end
