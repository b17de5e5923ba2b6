# frozen_string_literal: true

module PuppetX
  module Jtrove
    # What jtrove_config and jtrove_guestagent_config share: one resource per `SECTION/key` of an INI file, as
    # puppet-openstack's *_config types are. A value of `<SERVICE DEFAULT>` (ensure_absent_val) removes the key, so
    # the service's own default applies; `secret => true` keeps the value out of reports and logs.
    module IniType
      def self.define(type, file)
        type.ensurable

        type.newparam(:name, namevar: true) do
          desc "Section/setting name to manage in #{file}"
          newvalues(%r{\S+/\S+})
        end

        type.newproperty(:value, array_matching: :all) do
          desc 'The value of the setting (several values: a key written once per value).'
          munge do |value|
            value = value.to_s.strip
            value.capitalize! if %r{^(true|false)$}i.match?(value)
            value
          end
          newvalues(%r{^[\S ]*$})

          def is_to_s(current) # rubocop:disable Naming/PredicateName
            resource.secret? ? '[old secret redacted]' : current
          end

          def should_to_s(new)
            resource.secret? ? '[new secret redacted]' : new
          end
        end

        type.newparam(:secret, boolean: true) do
          desc 'Whether the value is a secret: reports and logs show it redacted.'
          newvalues(:true, :false)
          defaultto false
        end

        type.newparam(:ensure_absent_val) do
          desc 'The value that means "leave the key out" (the service default applies).'
          defaultto('<SERVICE DEFAULT>')
        end

        type.newparam(:transform_to) do
          desc 'Not used by jtrove; accepted because puppet-openstack defines pass it.'
        end

        type.autorequire(:anchor) do
          ['jtrove::install::end']
        end
      end
    end
  end
end
