# frozen_string_literal: true

require 'spec_helper'

# Every key the module can write is one jtrove reads (its configuration records, `jtrove config-keys`), one the
# RabbitMQ bus reads (bus-rabbitmq's MessagingConfig), or an oslo option jtrove accepts with a warning
# (oslo-accepted-keys.txt): jtrove refuses unknown keys at start-up, so a typo here would stop every service.
describe 'jtrove::deps' do
  repo = File.expand_path('../../../../..', __dir__)
  jar = File.join(repo, 'server/target/jtrove.jar')

  def self.known_keys(repo, jar)
    keys = `java -jar #{jar} config-keys`.scan(%r{^\[([^\]]+)\] (\S+) =}).map { |s, k| "#{s}/#{k}".downcase }
    bus = File.read(File.join(repo, 'bus-rabbitmq/src/main/java/org/jtrove/bus/rabbitmq/MessagingConfig.java'))
    keys += bus.scan(%r{[A-Z_]+\("([a-z_]+)", "([a-z_]+)"}).map { |s, k| "#{s}/#{k}".downcase }
    section = 'default'
    File.readlines(File.join(repo, 'server/src/main/resources/org/jtrove/server/config/oslo-accepted-keys.txt')).each do |line|
      line = line.strip
      next if line.empty? || line.start_with?('#')
      if line.start_with?('[')
        section = line[1..-2].downcase
      else
        keys << "#{section}/#{line.downcase}"
      end
    end
    keys
  end

  let(:facts) { jtrove_supported_os['debian-12-x86_64'] }
  let(:pre_condition) do
    <<-PP
      class { 'jtrove':
        default_transport_url => 'rabbit://u:p@h:5672/', control_exchange => 'x', rpc_response_timeout => 1,
        rabbit_use_ssl => true, kombu_ssl_ca_certs => '/a', kombu_ssl_certfile => '/b', kombu_ssl_keyfile => '/c',
        heartbeat_timeout_threshold => 1, rabbit_qos_prefetch_count => 1, rabbit_quorum_queue => true,
        rabbit_management_url => 'http://h:15672', state_path => '/s', os_region_name => 'r', default_datastore => 'd',
        public_address => '192.0.2.1', public_ports => '1-2', backup_storage => 's3', backup_dir => '/b',
        backup_key_file => '/k', backup_s3_endpoint => 'e', backup_s3_region => 'r', backup_s3_bucket => 'b',
        backup_s3_prefix => 'p', backup_s3_access_key => 'a', backup_s3_secret_key => 's', backup_s3_path_style => true,
      }
      class { 'jtrove::db':
        database_connection => 'mysql+pymysql://u:p@h/d', database_max_pool_size => 1, database_pool_timeout => 1,
        database_connection_recycle_time => 1,
      }
      class { 'jtrove::keystone::authtoken': password => 'p', region_name => 'r', token_cache_time => 1, insecure => true }
      class { 'jtrove::api':
        bind_host => 'h', bind_port => 1, public_endpoint => 'e', cert_file => 'c', key_file => 'k',
        auth_strategy => 'keystone', admin_password => 'p', token_expiration => 1, rate_limit_per_minute => 1,
        page_size => 1, max_accepted_volume_size => 1, max_request_body_size => 1, agent_heartbeat_expiry => 1,
      }
      class { 'jtrove::taskmanager': usage_timeout => 1, backup_timeout => 1, task_lease => 1 }
      class { 'jtrove::guestagent': report_interval => 1, address_base => 1, database_os_user => 'u', spare_data_dirs => 1 }
      class { 'jtrove::conductor': }
      class { 'jtrove::quota':
        max_instances_per_tenant => 1, max_volumes_per_tenant => 1, max_backups_per_tenant => 1, max_ram_per_tenant => 1,
      }
    PP
  end
  # The subject is jtrove::deps; the whole deployment is in pre_condition.
  context 'with every class and parameter set' do
    it 'writes only keys jtrove knows', if: File.exist?(jar) do
      known = self.class.known_keys(repo, jar)
      written = catalogue.resources.select { |r| ['Jtrove_config', 'Jtrove_guestagent_config'].include?(r.type) }
                         .reject { |r| r[:value].to_s == '<SERVICE DEFAULT>' }
                         .map { |r| r.title.downcase }
      expect(written.size).to be > 50
      expect(written - known).to eq([])
    end
  end
end
