# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::deps' do
  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      ['install', 'config', 'db', 'dbsync', 'service'].each do |stage|
        it { is_expected.to contain_anchor("jtrove::#{stage}::begin") }
        it { is_expected.to contain_anchor("jtrove::#{stage}::end") }
      end
      it { is_expected.to contain_anchor('jtrove::install::end').that_comes_before('Anchor[jtrove::config::begin]') }
      it { is_expected.to contain_anchor('jtrove::config::end').that_comes_before('Anchor[jtrove::db::begin]') }
      it { is_expected.to contain_anchor('jtrove::db::end').that_notifies('Anchor[jtrove::dbsync::begin]') }
      it { is_expected.to contain_anchor('jtrove::dbsync::end').that_notifies('Anchor[jtrove::service::begin]') }
      it { is_expected.to contain_anchor('jtrove::config::end').that_notifies('Anchor[jtrove::service::begin]') }
      it { is_expected.to contain_anchor('jtrove::install::end').that_notifies('Anchor[jtrove::service::begin]') }
    end
  end

  context 'with the whole deployment' do
    let(:facts) { jtrove_supported_os['debian-12-x86_64'] }
    let(:pre_condition) do
      <<-PP
        class { 'jtrove': }
        class { 'jtrove::api': }
        class { 'jtrove::logging': debug => true }
        jtrove_config { 'DEFAULT/spare_data_dirs': value => 5 }
        jtrove_datastore_version { 'mysql/10.11': manager => 'mysql', bin_dir => '/usr/sbin' }
        jtrove_datastore { 'mysql': manager => 'mysql', version => '10.11' }
        jtrove_flavor { 'db.small': id => '10', ram => 1024 }
      PP
    end

    it 'orders a configuration change before the db sync and the restart' do
      is_expected.to contain_jtrove_config('DEFAULT/spare_data_dirs').that_notifies('Anchor[jtrove::config::end]')
      is_expected.to contain_exec('jtrove-manage db_sync').that_subscribes_to('Anchor[jtrove::config::end]')
      is_expected.to contain_file_line('jtrove-log-level').that_notifies('Anchor[jtrove::config::end]')
    end
    it 'registers datastores and flavors once the schema is current' do
      is_expected.to contain_jtrove_datastore_version('mysql/10.11').that_requires('Anchor[jtrove::dbsync::end]')
      is_expected.to contain_jtrove_datastore('mysql').that_requires('Jtrove_datastore_version[mysql/10.11]')
      is_expected.to contain_jtrove_flavor('db.small').that_requires('Anchor[jtrove::dbsync::end]')
    end
  end
end
