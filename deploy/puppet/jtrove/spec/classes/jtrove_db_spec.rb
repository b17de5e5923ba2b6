# frozen_string_literal: true

require 'spec_helper'

describe 'jtrove::db' do
  jtrove_supported_os.each do |os, os_facts|
    context "on #{os}" do
      let(:facts) { os_facts }

      context 'with defaults' do
        it {
          is_expected.to contain_oslo__db('jtrove_config').with(
            connection: '<SERVICE DEFAULT>', max_pool_size: '<SERVICE DEFAULT>', manage_backend_package: false,
          )
        }
        it { is_expected.to contain_jtrove_config('database/connection').with(value: '<SERVICE DEFAULT>', secret: true) }
      end

      context 'with MariaDB' do
        let(:params) do
          { database_connection: 'mysql+pymysql://jtrove:pw@127.0.0.1:13306/jtrove', database_max_pool_size: 16,
            database_pool_timeout: 5, database_connection_recycle_time: 600 }
        end

        it { is_expected.to contain_jtrove_config('database/connection').with(value: 'mysql+pymysql://jtrove:pw@127.0.0.1:13306/jtrove', secret: true) }
        it { is_expected.to contain_jtrove_config('database/max_pool_size').with_value(16) }
        it { is_expected.to contain_jtrove_config('database/pool_timeout').with_value(5) }
        it { is_expected.to contain_jtrove_config('database/connection_recycle_time').with_value(600) }
        it { is_expected.not_to contain_package('python3-pymysql') }
      end

      context 'with PostgreSQL' do
        let(:params) { { database_connection: 'postgresql://jtrove:pw@db.example.org/jtrove' } }

        it { is_expected.to contain_jtrove_config('database/connection').with_value('postgresql://jtrove:pw@db.example.org/jtrove') }
      end

      context 'with sqlite' do
        let(:params) { { database_connection: 'sqlite:////var/lib/jtrove/jtrove.sqlite' } }

        it { is_expected.to compile.and_raise_error(%r{database_connection must be}) }
      end
    end
  end
end
