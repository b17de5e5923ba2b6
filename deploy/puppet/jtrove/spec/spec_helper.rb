# frozen_string_literal: true

# rspec-puppet on Debian's packages: this module and /usr/share/puppet/modules (oslo, openstacklib, keystone,
# inifile, stdlib, mysql, postgresql, rabbitmq) form the module path; facts come from rspec-puppet-facts.
MODULE_ROOT = File.expand_path('..', __dir__)
SYSTEM_MODULES = '/usr/share/puppet/modules'
MODULE_PATH = [File.dirname(MODULE_ROOT), SYSTEM_MODULES].join(':')
ENV['MODULEPATH'] = MODULE_PATH

require 'rspec'
RSpec.configure { |c| c.mock_with :rspec }
require 'puppetlabs_spec_helper/module_spec_helper'
require 'rspec-puppet-facts'
include RspecPuppetFacts

# Types and providers of this module and of the modules it builds on, for the type and provider specs.
[File.join(MODULE_ROOT, 'lib'), *Dir.glob(File.join(SYSTEM_MODULES, '*', 'lib'))].each do |lib|
  $LOAD_PATH.unshift(lib) unless $LOAD_PATH.include?(lib)
end

RSpec.configure do |c|
  c.module_path = MODULE_PATH
  c.manifest = nil
  c.default_facts = {
    os_service_default: '<SERVICE DEFAULT>',
    os_workers: 2,
    service_provider: 'systemd',
  }
  c.before(:each) do
    Puppet[:modulepath] = MODULE_PATH
  end
end

# The OS facts this module supports (metadata.json). facterdb 1.12 has no Debian 12 facts yet: those are Debian
# 11's with bookworm's release and codename.
def jtrove_supported_os
  facts = on_supported_os
  bullseye = facts['debian-11-x86_64']
  if bullseye && !facts.key?('debian-12-x86_64')
    bookworm = Marshal.load(Marshal.dump(bullseye))
    bookworm[:os]['release'] = { 'full' => '12.5', 'major' => '12', 'minor' => '5' }
    bookworm[:os]['distro']['codename'] = 'bookworm' if bookworm[:os]['distro']
    bookworm[:operatingsystemrelease] = '12.5'
    bookworm[:operatingsystemmajrelease] = '12'
    bookworm[:lsbdistcodename] = 'bookworm'
    facts['debian-12-x86_64'] = bookworm
  end
  facts
end

Dir[File.join(__dir__, 'shared', '*.rb')].sort.each { |f| require f }
