# frozen_string_literal: true

module PuppetX
  module Jtrove
    # What the providers of jtrove's registrations (flavors, datastore versions) share: the listing read once per run
    # (prefetch), and a resource created or changed by one `jtrove manage` call in the provider's flush, which runs
    # only when `create` or a property setter marked it changed.
    module Registration
      def self.included(base)
        base.extend(ClassMethods)
      end

      # Class methods of a registration provider.
      module ClassMethods
        def prefetch(resources)
          found = instances(resources.values.first[:config_file])
          resources.each do |name, resource|
            provider = found.find { |p| p.name == name }
            resource.provider = provider if provider
          end
        end

        # Setters for `properties` that only mark the resource changed (flush applies them all at once).
        def changed_by(*properties)
          properties.each do |property|
            define_method("#{property}=") { |_value| @changed = true }
          end
        end
      end

      def initialize(value = {})
        super(value)
        @changed = false
      end

      def exists?
        @property_hash[:ensure] == :present
      end

      def create
        @property_hash[:ensure] = :present
        @changed = true
      end
    end
  end
end
